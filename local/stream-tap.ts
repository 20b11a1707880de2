/**
 * What the table's stream does in AWS, for the embedded DynamoDB (dynalite has no streams): an HTTP proxy in
 * front of it that hands the new image of every write that stored an outbox to a consumer (the event
 * publisher's code), in the stream's record shape. The consumer runs before the write's answer goes back, so
 * the events of an answered request are out; a consumer failure is retried in the background until it
 * succeeds (at least once, like the stream's retries). An UpdateItem that writes an outbox is sent with
 * `ReturnValues: ALL_NEW` (its new image is the consumer's input) and answered as the caller asked.
 */

import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import type { DynamoDBRecord, AttributeValue as StreamAttributeValue } from 'aws-lambda';
import type { Logger } from '../functions/observability/logger.ts';

type Image = Record<string, StreamAttributeValue>;

/** Delivers stream records; answers those that must be delivered again (the stream's partial failures). */
export type RecordConsumer = (records: DynamoDBRecord[]) => Promise<DynamoDBRecord[]>;

export interface StreamTap {
  endpoint: string;
  /** Resolves once no delivery is waiting for a retry. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const readAll = async (stream: AsyncIterable<Buffer | string>): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
};

const RETRY_MS = 500;

/** Whether a write stores the `outbox` attribute: in the item put, or set by the update (by name or alias). */
const storesOutbox = (operation: 'PutItem' | 'UpdateItem', request: Record<string, unknown>): boolean => {
  if (operation === 'PutItem') return (request.Item as Image | undefined)?.outbox !== undefined;
  const expression = String(request.UpdateExpression ?? '');
  const aliases = Object.entries(
    (request.ExpressionAttributeNames as Record<string, string> | undefined) ?? {},
  )
    .filter(([, name]) => name === 'outbox')
    .map(([alias]) => alias);
  return /\boutbox\b/.test(expression) || aliases.some((alias) => expression.includes(alias));
};

export const startStreamTap = async (options: {
  /** The embedded DynamoDB's endpoint. */
  target: string;
  consume: RecordConsumer;
  log: Logger;
}): Promise<StreamTap> => {
  const target = new URL(options.target);
  let sequence = 0;
  let retrying: DynamoDBRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  const waiters: (() => void)[] = [];

  const settleWaiters = () => {
    if (retrying.length > 0) return;
    for (const resolve of waiters.splice(0)) resolve();
  };
  const deliver = async (records: DynamoDBRecord[]): Promise<void> => {
    let failed: DynamoDBRecord[];
    try {
      failed = await options.consume(records);
    } catch (error) {
      options.log.warn('stream consumer failed: records will be delivered again', { error });
      failed = records;
    }
    if (failed.length === 0) return;
    retrying.push(...failed);
    timer ??= setTimeout(retry, RETRY_MS);
  };
  const retry = async () => {
    timer = undefined;
    const batch = retrying;
    retrying = [];
    await deliver(batch);
    settleWaiters();
  };

  const forward = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method,
          path,
          headers: { ...headers, host: target.host, 'content-length': String(body.length) },
        },
        (res) => {
          readAll(res).then(
            (data) => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: data }),
            reject,
          );
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1];
      let sent = body;
      let asked: Record<string, unknown> | undefined;
      let stripAttributes = false;
      if (operation === 'PutItem' || operation === 'UpdateItem') {
        asked = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        if (!storesOutbox(operation, asked)) asked = undefined;
        else if (operation === 'UpdateItem') {
          const returnValues = String(asked.ReturnValues ?? 'NONE');
          if (returnValues !== 'NONE' && returnValues !== 'ALL_NEW') {
            // The new image is the stream's record; it cannot be rebuilt from an old or partial one.
            const refusal = JSON.stringify({
              __type: 'com.amazon.coral.validate#ValidationException',
              message: `The local stream tap serves ReturnValues NONE or ALL_NEW on an UpdateItem that stores an outbox, not ${returnValues}`,
            });
            res.writeHead(400, {
              'content-type': 'application/x-amz-json-1.0',
              'x-amz-crc32': String(crc32(refusal)),
            });
            res.end(refusal);
            return;
          }
          if (returnValues === 'NONE') {
            stripAttributes = true;
            sent = Buffer.from(JSON.stringify({ ...asked, ReturnValues: 'ALL_NEW' }));
          }
        }
      }
      const answer = await forward(req.method ?? 'POST', req.url ?? '/', req.headers, sent);
      let out = answer.body;
      if (asked && answer.status === 200) {
        const parsed = JSON.parse(answer.body.toString('utf8')) as { Attributes?: Image };
        const image = operation === 'PutItem' ? (asked.Item as Image) : parsed.Attributes;
        if (image?.pk && image.sk) {
          sequence++;
          await deliver([
            {
              eventID: `local-${sequence}`,
              eventName: 'MODIFY',
              eventSource: 'aws:dynamodb',
              dynamodb: {
                Keys: { pk: image.pk, sk: image.sk },
                NewImage: image,
                SequenceNumber: String(sequence).padStart(21, '0'),
                StreamViewType: 'NEW_IMAGE',
              },
            },
          ]);
        }
        if (stripAttributes) {
          const { Attributes: _dropped, ...rest } = parsed;
          out = Buffer.from(JSON.stringify(rest));
        }
      }
      const headers: Record<string, string | string[] | undefined> = {
        ...answer.headers,
        'content-length': String(out.length),
      };
      if (out !== answer.body) headers['x-amz-crc32'] = String(crc32(out));
      res.writeHead(answer.status, headers);
      res.end(out);
    })().catch((error: unknown) => {
      options.log.error('stream tap failed to forward a request', { error });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
          message: 'tap failed',
        }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    idle: () =>
      retrying.length === 0 && timer === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        if (timer) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
