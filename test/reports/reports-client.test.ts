/**
 * The settlement report client (adapters/mercadopago/reports-client.ts) against a scripted server: the
 * answers Mercado Pago may give besides the happy ones the sandbox gives (a configuration that exists, a
 * list in its paged form, bodies it cannot read), and the file's download: retried while it did not start
 * (5xx, 429, a refused connection), refused at once on a 4xx, never past the deadline, never another path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMercadoPagoReports } from '../../functions/adapters/mercadopago/reports-client.ts';
import { MercadoPagoError } from '../../functions/ports/mercadopago-errors.ts';

type Answer = { status: number; body?: string; type?: string };
let script: Answer[] = [];
let seen: string[] = [];
let server: Server;
let baseUrl: string;

const answer = (req: IncomingMessage, res: ServerResponse) => {
  seen.push(`${req.method} ${req.url}`);
  req.resume();
  req.on('end', () => {
    const next = script.shift() ?? { status: 500, body: '{}' };
    res.writeHead(next.status, { 'content-type': next.type ?? 'application/json' }).end(next.body ?? '');
  });
};

beforeAll(async () => {
  server = createServer(answer);
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  script = [];
  seen = [];
});

const client = (url = baseUrl, now = () => Date.now()) =>
  createMercadoPagoReports({
    baseUrl: url,
    accessToken: async () => 'TEST-token',
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    sleep: async () => undefined,
    clock: { now },
    downloadAttempts: 3,
  });

const text = async (body: AsyncIterable<Uint8Array>) => {
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(Buffer.from(part));
  return Buffer.concat(parts).toString('utf8');
};

describe('configuration and list', () => {
  it('no configuration is null; a configuration that exists already is `exists`, never overwritten', async () => {
    script = [
      { status: 404, body: '{"message":"not found"}' },
      { status: 409, body: '{"message":"exists"}' },
    ];
    expect(await client().getConfig()).toBeNull();
    expect(await client().createConfig({ columns: [] })).toBe('exists');
    expect(seen).toEqual([
      'GET /v1/account/settlement_report/config',
      'POST /v1/account/settlement_report/config',
    ]);
  });

  it('reads a configuration without columns, and refuses one it cannot read by name', async () => {
    script = [{ status: 200, body: '{"file_name_prefix":"x"}' }];
    expect(await client().getConfig()).toMatchObject({ columns: [], separator: null, refundDetailed: null });
    script = [{ status: 200, body: 'not json' }];
    await expect(client().getConfig()).rejects.toThrow('GET config: 200 answer not understood');
    script = [{ status: 200, body: '{"columns":"SOURCE_ID"}' }];
    await expect(client().getConfig()).rejects.toThrow(MercadoPagoError);
  });

  it('reads the paged list form, dates absent as null', async () => {
    script = [
      { status: 200, body: '{"paging":{"total":1},"results":[{"file_name":"settlement-report-1.csv"}]}' },
    ];
    expect(await client().listReports()).toEqual([
      { fileName: 'settlement-report-1.csv', beginDate: null, endDate: null, createdAt: null },
    ]);
  });
});

describe('the download', () => {
  it('is retried while it did not start (503, 429), then streams the file', async () => {
    script = [
      { status: 503, body: 'busy' },
      { status: 429, body: 'slow down' },
      { status: 200, body: 'SOURCE_ID;TRANSACTION_TYPE\n', type: 'text/csv' },
    ];
    expect(await text(await client().openReport('settlement-report-1.csv'))).toBe(
      'SOURCE_ID;TRANSACTION_TYPE\n',
    );
    expect(seen).toEqual(Array(3).fill('GET /v1/account/settlement_report/settlement-report-1.csv'));
  });

  it('a 4xx is refused at once, with what Mercado Pago said', async () => {
    script = [{ status: 404, body: '{"message":"file not found"}' }];
    const error = await client()
      .openReport('gone.csv')
      .catch((e) => e);
    expect(error).toMatchObject({
      kind: 'refused',
      httpStatus: 404,
      upstreamMessage: expect.stringContaining('file not found'),
    });
    expect(seen).toHaveLength(1);
  });

  it('gives up unavailable after its tries', async () => {
    script = [{ status: 500 }, { status: 502 }, { status: 503 }];
    await expect(client().openReport('r.csv')).rejects.toMatchObject({
      kind: 'unavailable',
      httpStatus: 503,
      attempts: 3,
    });
    expect(seen).toHaveLength(3);
  });

  it('a connection refused is unavailable', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    await expect(client(url).openReport('r.csv')).rejects.toMatchObject({ kind: 'unavailable', attempts: 3 });
  });

  it('starts nothing past the deadline, and opens only a plain file name', async () => {
    await expect(client(baseUrl, () => 2_000).openReport('r.csv', { deadline: 1_000 })).rejects.toThrow(
      'the deadline has passed',
    );
    for (const name of ['../config', '.hidden', 'a/b.csv', '']) {
      await expect(client().openReport(name)).rejects.toThrow(TypeError);
    }
    expect(seen).toEqual([]);
  });
});
