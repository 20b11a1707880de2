/**
 * The counting proxy: an HTTP server in front of dynalite (127.0.0.1, ephemeral port) that function
 * processes reach when their DynamoDB use is counted (cost phases only: it adds reads of its own, so timed
 * phases talk to dynalite directly). Each request is forwarded unchanged and answered with dynalite's answer;
 * around each item written it reads the item before and after (consistent GetItem, one write per item key at
 * a time), and it sizes what each read returned, so that dynamo-usage.ts can bill them as DynamoDB does.
 * Table schemas (keys, indexes, projections) come from DescribeTable, i.e. the tables as created in dynalite
 * (local/dynamodb.ts: checked against the deployed template by the bench, cdk-assets.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { Pool } from 'undici';
import {
  categoryOf,
  type DynamoUsage,
  type IndexSchema,
  type Item,
  itemSize,
  type ReadRecord,
  readUnitsOf,
  type TableSchema,
  writeRecord,
} from './dynamo-usage.ts';

const TARGET = 'DynamoDB_20120810.';

export interface CountingProxy {
  endpoint: string;
  /** Whose usage requests are added to (swapped by the caller between measurements). */
  close(): Promise<void>;
  schemaOf(table: string): Promise<TableSchema>;
}

export const schemaFromDescription = (table: {
  TableName?: string;
  KeySchema?: { AttributeName?: string; KeyType?: string }[];
  GlobalSecondaryIndexes?: {
    IndexName?: string;
    KeySchema?: { AttributeName?: string; KeyType?: string }[];
    Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }[];
}): TableSchema => {
  const keysOf = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
    [...(schema ?? [])]
      .sort((a) => (a.KeyType === 'HASH' ? -1 : 1))
      .map((k) => k.AttributeName ?? '')
      .filter(Boolean);
  return {
    name: table.TableName ?? '',
    keys: keysOf(table.KeySchema),
    indexes: (table.GlobalSecondaryIndexes ?? []).map(
      (index): IndexSchema => ({
        name: index.IndexName ?? '',
        keys: keysOf(index.KeySchema),
        projection: (index.Projection?.ProjectionType ?? 'ALL') as IndexSchema['projection'],
        include: index.Projection?.NonKeyAttributes ?? [],
      }),
    ),
  };
};

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

type Json = Record<string, unknown>;

export const startCountingProxy = async (
  dynaliteEndpoint: string,
  usage: () => DynamoUsage,
): Promise<CountingProxy> => {
  const admin = new DynamoDBClient({
    endpoint: dynaliteEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const upstream = new Pool(dynaliteEndpoint, { connections: 64 });
  const schemas = new Map<string, Promise<TableSchema>>();
  const schemaOf = (table: string): Promise<TableSchema> => {
    let schema = schemas.get(table);
    if (!schema) {
      schema = admin
        .send(new DescribeTableCommand({ TableName: table }))
        .then(({ Table }) => schemaFromDescription(Table ?? {}));
      schemas.set(table, schema);
    }
    return schema;
  };
  const read = async (table: string, key: Item): Promise<Item | undefined> =>
    (await admin.send(new GetItemCommand({ TableName: table, Key: key as never, ConsistentRead: true })))
      .Item as Item | undefined;
  const keyOf = (schema: TableSchema, item: Item): Item =>
    Object.fromEntries(schema.keys.flatMap((name) => (item[name] ? [[name, item[name]]] : [])));

  // One write per item at a time, so that its before and after images are its own.
  const locks = new Map<string, Promise<unknown>>();
  const locked = async <T>(id: string, work: () => Promise<T>): Promise<T> => {
    const previous = locks.get(id) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (locks.get(id) === tail) locks.delete(id);
    }
  };

  const forward = async (request: IncomingMessage, body: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || name === 'host' || name === 'connection') continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const answer = await upstream.request({
      method: (request.method ?? 'POST') as 'POST',
      path: request.url ?? '/',
      headers,
      body,
    });
    const text = await answer.body.text();
    return { status: answer.statusCode, headers: answer.headers, text };
  };

  /** The items a Query/Scan evaluated: its answer, or (with a filter, projection or count) the same read without them. */
  const evaluatedItems = async (operation: string, input: Json, answer: Json): Promise<Item[]> => {
    const altered =
      input.FilterExpression !== undefined ||
      input.ProjectionExpression !== undefined ||
      input.Select === 'COUNT' ||
      input.AttributesToGet !== undefined;
    if (!altered) return (answer.Items as Item[] | undefined) ?? [];
    const {
      FilterExpression: _f,
      ProjectionExpression: _p,
      Select: _s,
      AttributesToGet: _a,
      ...rest
    } = input as Json & { ExpressionAttributeNames?: Record<string, string> };
    const plain = { ...rest } as unknown as QueryCommandInput & ScanCommandInput;
    // Names and values only the filter or projection used would be refused: keep those the key condition uses.
    const condition = String(plain.KeyConditionExpression ?? '');
    const names = plain.ExpressionAttributeNames;
    if (names) {
      const kept = Object.fromEntries(Object.entries(names).filter(([n]) => condition.includes(n)));
      plain.ExpressionAttributeNames = Object.keys(kept).length > 0 ? kept : undefined;
    }
    const values = plain.ExpressionAttributeValues;
    if (values) {
      const kept = Object.fromEntries(Object.entries(values).filter(([v]) => condition.includes(v)));
      plain.ExpressionAttributeValues = Object.keys(kept).length > 0 ? kept : undefined;
    }
    const result =
      operation === 'Query'
        ? await admin.send(new QueryCommand(plain))
        : await admin.send(new ScanCommand(plain));
    return (result.Items as Item[] | undefined) ?? [];
  };

  const accountRead = async (operation: string, input: Json, answer: Json): Promise<ReadRecord[]> => {
    if (operation === 'GetItem') {
      const table = String(input.TableName);
      const schema = await schemaOf(table);
      const key = input.Key as Item;
      const item =
        input.ProjectionExpression !== undefined || input.AttributesToGet !== undefined
          ? await read(table, key)
          : (answer.Item as Item | undefined);
      return [
        {
          table,
          operation,
          index: undefined,
          category: categoryOf(table, key[schema.keys[0] ?? '']?.S ?? ''),
          items: 1,
          units: readUnitsOf(itemSize(item), input.ConsistentRead === true),
        },
      ];
    }
    if (operation === 'BatchGetItem') {
      const records: ReadRecord[] = [];
      const requested = (input.RequestItems ?? {}) as Record<
        string,
        { Keys?: Item[]; ConsistentRead?: boolean }
      >;
      const responses = (answer.Responses ?? {}) as Record<string, Item[]>;
      const unprocessed = (answer.UnprocessedKeys ?? {}) as Record<string, { Keys?: Item[] }>;
      for (const [table, { Keys = [], ConsistentRead }] of Object.entries(requested)) {
        const schema = await schemaOf(table);
        const id = (item: Item) => JSON.stringify(schema.keys.map((name) => item[name]));
        const left = new Set((unprocessed[table]?.Keys ?? []).map(id));
        const found = new Map((responses[table] ?? []).map((item) => [id(item), item]));
        for (const key of Keys) {
          if (left.has(id(key))) continue;
          const item = found.get(id(key));
          records.push({
            table,
            operation,
            index: undefined,
            category: categoryOf(table, key[schema.keys[0] ?? '']?.S ?? ''),
            items: 1,
            units: readUnitsOf(itemSize(item), ConsistentRead === true),
          });
        }
      }
      return records;
    }
    if (operation === 'Query' || operation === 'Scan') {
      const table = String(input.TableName);
      const items = await evaluatedItems(operation, input, answer);
      const bytes = items.reduce((sum, item) => sum + itemSize(item), 0);
      const index = typeof input.IndexName === 'string' ? input.IndexName : undefined;
      return [
        {
          table,
          operation,
          index,
          category: index ? `index ${index}` : table,
          items: items.length,
          units: readUnitsOf(bytes, index === undefined && input.ConsistentRead === true),
        },
      ];
    }
    return [];
  };

  /** The items a write request touches: table, key and (PutItem) the item sent. */
  const touchedBy = async (
    operation: string,
    input: Json,
  ): Promise<{ table: TableSchema; key: Item; sent?: Item; kind: string; transactional?: boolean }[]> => {
    if (operation === 'PutItem') {
      const table = await schemaOf(String(input.TableName));
      const item = input.Item as Item;
      return [{ table, key: keyOf(table, item), sent: item, kind: operation }];
    }
    if (operation === 'UpdateItem' || operation === 'DeleteItem') {
      const table = await schemaOf(String(input.TableName));
      return [{ table, key: input.Key as Item, kind: operation }];
    }
    if (operation === 'BatchWriteItem') {
      const out = [];
      for (const [name, requests] of Object.entries(
        (input.RequestItems ?? {}) as Record<
          string,
          { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]
        >,
      )) {
        const table = await schemaOf(name);
        for (const request of requests) {
          if (request.PutRequest)
            out.push({
              table,
              key: keyOf(table, request.PutRequest.Item),
              sent: request.PutRequest.Item,
              kind: 'PutItem',
            });
          else if (request.DeleteRequest)
            out.push({ table, key: request.DeleteRequest.Key, kind: 'DeleteItem' });
        }
      }
      return out;
    }
    if (operation === 'TransactWriteItems') {
      const out = [];
      for (const entry of (input.TransactItems ?? []) as Record<
        string,
        { TableName: string; Item?: Item; Key?: Item }
      >[]) {
        for (const [kind, body] of Object.entries(entry)) {
          if (kind === 'ConditionCheck') continue;
          const table = await schemaOf(body.TableName);
          const key = body.Key ?? keyOf(table, body.Item ?? {});
          out.push({ table, key, sent: body.Item, kind: `${kind}Item`, transactional: true });
        }
      }
      return out;
    }
    return [];
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const target = request.headers['x-amz-target'];
    const operation =
      typeof target === 'string' && target.startsWith(TARGET) ? target.slice(TARGET.length) : '';
    let input: Json = {};
    try {
      input = JSON.parse(body.toString('utf8')) as Json;
    } catch {
      // Not JSON: dynalite answers it.
    }
    const current = usage();
    if (operation) current.requests[operation] = (current.requests[operation] ?? 0) + 1;
    const touched = operation ? await touchedBy(operation, input).catch(() => []) : [];
    let answered: Awaited<ReturnType<typeof forward>>;
    if (touched.length === 0) {
      answered = await forward(request, body);
      if (answered.status === 200 && operation) {
        const answer = JSON.parse(answered.text) as Json;
        current.reads.push(...(await accountRead(operation, input, answer)));
      }
    } else {
      const ids = touched
        .map((t) => `${t.table.name}|${JSON.stringify(t.table.keys.map((k) => t.key[k]))}`)
        .sort();
      const run = async () => {
        const befores = await Promise.all(touched.map((t) => read(t.table.name, t.key)));
        const answer = await forward(request, body);
        const failed = answer.status !== 200 && answer.text.includes('ConditionalCheckFailed');
        if (answer.status === 200 || failed) {
          const afters = failed ? befores : await Promise.all(touched.map((t) => read(t.table.name, t.key)));
          touched.forEach((t, i) => {
            current.writes.push(
              writeRecord({
                table: t.table,
                operation: t.kind,
                key: t.key,
                before: befores[i],
                after: afters[i],
                failed,
                sent: t.sent,
                transactional: t.transactional ?? false,
              }),
            );
          });
        }
        return answer;
      };
      // Nested locks in a fixed order: a multi-item write never waits on itself.
      const nest = (index: number): Promise<Awaited<ReturnType<typeof forward>>> =>
        index >= ids.length ? run() : locked(ids[index] ?? '', () => nest(index + 1));
      answered = await nest(0);
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answered.headers)) {
      if (
        value === undefined ||
        name === 'content-length' ||
        name === 'connection' ||
        name === 'transfer-encoding'
      )
        continue;
      headers[name] = value;
    }
    response.writeHead(answered.status, { ...headers, 'content-length': Buffer.byteLength(answered.text) });
    response.end(answered.text);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ __type: 'BenchProxyError', message: String(error) }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    schemaOf,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await upstream.close();
      admin.destroy();
    },
  };
};
