/**
 * A real HTTP server on 127.0.0.1:0 standing in for Mercado Pago: each test scripts the answers to the
 * next requests, in order, and reads back what the client sent.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Step = (request: RecordedRequest, response: ServerResponse) => void;

export interface ScriptedServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Answers for the next requests, in order; an unscripted request gets a 418 (never retried). */
  script(...steps: Step[]): void;
  reset(): void;
  close(): Promise<void>;
}

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_request, response) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'x-request-id': `mp-req-${status}`,
      ...headers,
    });
    response.end(text);
  };

export const empty =
  (status: number, headers: Record<string, string> = {}): Step =>
  (_request, response) => {
    response.writeHead(status, { 'x-request-id': `mp-req-${status}`, ...headers });
    response.end();
  };

/** Reads the whole request, then drops the connection without answering. */
export const destroySocket: Step = (_request, response) => {
  response.socket?.destroy();
};

/** Reads the whole request and never answers. */
export const hang: Step = () => {};

export const startScriptedServer = async (): Promise<ScriptedServer> => {
  const requests: RecordedRequest[] = [];
  let steps: Step[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const step = steps.shift();
      if (step) step(recorded, response);
      else json(418, { message: 'unscripted request' })(recorded, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (...next) => {
      steps.push(...next);
    },
    reset: () => {
      requests.length = 0;
      steps = [];
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** A port on 127.0.0.1 that nothing listens on (bound then released). */
export const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};
