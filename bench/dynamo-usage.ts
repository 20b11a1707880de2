/**
 * What the DynamoDB requests that reach dynalite cost on an on-demand table, read from the requests
 * themselves (Node's `http.server.request.start` channel fires before dynalite's handler, which reads the
 * body in the same tick, so listening to the body here takes nothing from it):
 * - requests by API action;
 * - write request units: a PutItem costs one per started KB of the item it writes (its size as DynamoDB
 *   counts it: attribute names plus values); UpdateItem and DeleteItem are counted as one, which holds for
 *   the items this project updates (idempotency keys and dedupe markers, well under 1 KB: see the
 *   PutItem sizes of the same items);
 * - read request units: a strongly consistent read costs one per started 4 KB per item; every item read
 *   here is under 4 KB, so GetItem is one and BatchGetItem one per key asked.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';

const DYNAMODB_TARGET = 'DynamoDB_20120810.';
const REQUEST_START = 'http.server.request.start';

export interface DynamoUsage {
  /** Requests by API action (`GetItem`, `PutItem`...). */
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** The largest item a PutItem wrote, in bytes as DynamoDB sizes it. */
  largestItemBytes: number;
}

export const emptyUsage = (): DynamoUsage => ({
  requests: {},
  readUnits: 0,
  writeUnits: 0,
  largestItemBytes: 0,
});

type AttributeValue = { S?: string; N?: string; B?: string; BOOL?: boolean; NULL?: boolean } & {
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
  NS?: string[];
};

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** DynamoDB's item size rules (numbers: about one byte per two significant digits, plus one). */
const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^[-+]?0*|\.|e.*$/gi, '').length / 2) + 1;
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M)
    return (
      3 + Object.entries(value.M).reduce((sum, [name, inner]) => sum + utf8(name) + valueSize(inner) + 1, 0)
    );
  if (value.L) return 3 + value.L.reduce((sum, inner) => sum + valueSize(inner) + 1, 0);
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + valueSize({ N: n }), 0);
  return 0;
};

export const itemSize = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);

const account = (usage: DynamoUsage, operation: string, body: string) => {
  usage.requests[operation] = (usage.requests[operation] ?? 0) + 1;
  let input: { Item?: Record<string, AttributeValue>; RequestItems?: Record<string, { Keys?: unknown[] }> } =
    {};
  try {
    input = JSON.parse(body) as typeof input;
  } catch {
    // Not JSON: dynalite answers it with an error, which costs nothing.
    return;
  }
  if (operation === 'PutItem' && input.Item) {
    const size = itemSize(input.Item);
    usage.largestItemBytes = Math.max(usage.largestItemBytes, size);
    usage.writeUnits += Math.max(1, Math.ceil(size / 1024));
  } else if (operation === 'UpdateItem' || operation === 'DeleteItem') {
    usage.writeUnits += 1;
  } else if (operation === 'BatchGetItem') {
    usage.readUnits += Object.values(input.RequestItems ?? {}).reduce(
      (sum, table) => sum + (table.Keys?.length ?? 0),
      0,
    );
  } else if (operation === 'GetItem' || operation === 'Query') {
    usage.readUnits += 1;
  }
};

/**
 * Starts counting every DynamoDB request this process's servers receive into `current()` (read when each
 * request ends, so the count can be swapped for a fresh one); returns the way to stop.
 */
export const watchDynamoDb = (current: () => DynamoUsage): (() => void) => {
  const onRequest = (message: unknown) => {
    const request = (message as { request: IncomingMessage }).request;
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string' || !target.startsWith(DYNAMODB_TARGET)) return;
    const operation = target.slice(DYNAMODB_TARGET.length);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => account(current(), operation, Buffer.concat(chunks).toString('utf8')));
  };
  subscribe(REQUEST_START, onRequest);
  return () => unsubscribe(REQUEST_START, onRequest);
};
