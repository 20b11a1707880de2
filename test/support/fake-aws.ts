/**
 * A tiny stand-in for an AWS JSON-protocol service (SQS speaks AWS JSON 1.0, EventBridge AWS JSON 1.1) on
 * an ephemeral port, for the entry points whose default SDK clients are pointed at it with
 * AWS_ENDPOINT_URL_<SERVICE>: it records each call (its `x-amz-target`, parsed body and headers) and answers
 * what the test's `reply` says, in the protocol's content type.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAwsCall {
  /** `x-amz-target`, e.g. `AmazonSQS.SendMessage`. */
  target: string;
  body: any;
  headers: IncomingHttpHeaders;
}

export interface FakeAwsReply {
  status?: number;
  body: unknown;
}

export interface FakeAws {
  url: string;
  calls(target?: string): FakeAwsCall[];
  clear(): void;
  /** Replaces the answer given from now on. */
  answer(reply: (call: FakeAwsCall) => FakeAwsReply): void;
  close(): Promise<void>;
}

const unknownOperation = (call: FakeAwsCall): FakeAwsReply => ({
  status: 400,
  body: { __type: 'UnknownOperationException', message: `not served: ${call.target}` },
});

export const startFakeAws = async (
  reply: (call: FakeAwsCall) => FakeAwsReply = unknownOperation,
): Promise<FakeAws> => {
  const calls: FakeAwsCall[] = [];
  let answer = reply;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const call: FakeAwsCall = {
        target: String(req.headers['x-amz-target'] ?? ''),
        body: text ? JSON.parse(text) : undefined,
        headers: req.headers,
      };
      calls.push(call);
      const { status = 200, body } = answer(call);
      const payload = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': req.headers['content-type'] ?? 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(payload),
        'x-amzn-requestid': crypto.randomUUID(),
      });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: (target) => calls.filter((call) => target === undefined || call.target === target),
    clear: () => {
      calls.length = 0;
    },
    answer: (next) => {
      answer = next;
    },
    close: async () => {
      // The SDK clients keep their connections alive: close them, or close() waits for them.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
};
