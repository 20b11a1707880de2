/**
 * API Gateway in front of one HTTP function, for callers that speak HTTP (the sandbox delivering Mercado
 * Pago's notifications): each request becomes the HTTP API event of the captured shape for its route's
 * authorization (aws-events.ts), the function answers it, and its answer goes back over HTTP. What the
 * function answered is kept, body parsed, for the test to look at.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpAuth, type HttpEntryPoint, httpApiEvent, readResult } from './aws-events.ts';
import { lambdaContext } from './events.ts';
import type { InvokeResult } from './harness.ts';

export interface HttpApiBridge {
  url: string;
  /** The function requests go to from now on (a fresh cold start per test). */
  serve(handler: HttpEntryPoint): void;
  /** What the function answered, oldest first. */
  answers(): InvokeResult[];
  clear(): void;
  close(): Promise<void>;
}

export const startHttpApiBridge = async (options: {
  auth: HttpAuth;
  timeoutMs: number;
}): Promise<HttpApiBridge> => {
  let handler: HttpEntryPoint | undefined;
  const answers: InvokeResult[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        if (!handler) throw new Error('no function to serve this request');
        const headers = Object.fromEntries(
          Object.entries(req.headers).flatMap(([name, value]) =>
            value === undefined ? [] : [[name, Array.isArray(value) ? value.join(',') : value]],
          ),
        );
        const body = Buffer.concat(chunks).toString('utf8');
        const event = httpApiEvent(options.auth, {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers,
          ...(body === '' ? {} : { rawBody: body }),
        });
        const result = await handler(event, lambdaContext(options.timeoutMs));
        answers.push(readResult(result));
        const { 'content-length': _length, ...resultHeaders } = Object.fromEntries(
          Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
        );
        res.writeHead(result.statusCode ?? 200, resultHeaders);
        res.end(result.body ?? '');
      } catch (error) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`bridge: ${String(error)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (next) => {
      handler = next;
    },
    answers: () => [...answers],
    clear: () => {
      answers.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
};
