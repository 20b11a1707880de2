/**
 * Counts the DynamoDB requests that reach dynalite itself, by API action, and which items the reads asked
 * for, without slowing anything: Node's `http.server.request.start` channel fires before dynalite's handler,
 * which reads the body in the same tick, so listening to the body here takes nothing from it. Used where the
 * counting proxy's own reads would distort a timing (the reconciliation drain).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

const DYNAMODB_TARGET = 'DynamoDB_20120810.';
const REQUEST_START = 'http.server.request.start';

export interface RequestWatch {
  /** Requests by API action. */
  requests: Record<string, number>;
  /** Partition keys asked for by GetItem and BatchGetItem, in order (one per item asked). */
  itemsRead: string[];
  stop(): void;
}

type Key = Record<string, { S?: string }>;

/** Watches the requests to the server listening on `port` for table `table`. */
export const watchRequests = (port: number, table: string): RequestWatch => {
  const watch: RequestWatch = { requests: {}, itemsRead: [], stop: () => undefined };
  const onRequest = (message: unknown) => {
    const request = (message as { request: IncomingMessage }).request;
    if (request.socket.localPort !== port) return;
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string' || !target.startsWith(DYNAMODB_TARGET)) return;
    const operation = target.slice(DYNAMODB_TARGET.length);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let input: { TableName?: string; Key?: Key; RequestItems?: Record<string, { Keys?: Key[] }> };
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof input;
      } catch {
        return;
      }
      const tables = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {});
      if (!tables.includes(table)) return;
      watch.requests[operation] = (watch.requests[operation] ?? 0) + 1;
      if (operation === 'GetItem' && input.Key) watch.itemsRead.push(input.Key.pk?.S ?? '');
      if (operation === 'BatchGetItem')
        for (const key of input.RequestItems?.[table]?.Keys ?? []) watch.itemsRead.push(key.pk?.S ?? '');
    });
  };
  subscribe(REQUEST_START, onRequest);
  watch.stop = () => unsubscribe(REQUEST_START, onRequest);
  return watch;
};
