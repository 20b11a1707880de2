/**
 * A Mercado Pago that answers oddly on demand: an HTTP proxy in front of the sandbox that forwards every
 * request, records which idempotency key made which refund, and lets a test fake an answer without
 * forwarding (Mercado Pago did nothing) or rewrite a real answer (Mercado Pago did something else than it
 * says). Black-box tests point the servers' MP_API_BASE_URL here.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  method: string;
  path: string;
  key: string | null;
  status: number;
  body: unknown;
}

type Json = Record<string, unknown>;

export interface Rule {
  method: string;
  path: RegExp;
  /** How many requests it applies to (default 1). */
  times?: number;
  /** Answer this without forwarding: Mercado Pago never sees the request. */
  fake?: (body: unknown) => { status: number; body: unknown };
  /** Forward, then answer this instead of the real answer. */
  rewrite?: (answer: { status: number; body: Json }) => { status: number; body: unknown };
}

export interface MercadoPagoProxy {
  url: string;
  /** Every exchange, in order. */
  exchanges: Exchange[];
  /** The refund id a key's answers named (as Mercado Pago really answered, before any rewrite). */
  refundMadeBy(key: string): string | undefined;
  rule(rule: Rule): void;
  close(): Promise<void>;
}

const read = async (stream: AsyncIterable<Buffer | string>): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
};

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

export const startMercadoPagoProxy = async (target: string): Promise<MercadoPagoProxy> => {
  const upstream = new URL(target);
  const exchanges: Exchange[] = [];
  const made = new Map<string, string>();
  const rules: (Rule & { left: number })[] = [];

  const forward = (
    method: string,
    path: string,
    headers: Record<string, string | string[] | undefined>,
    body: string,
  ) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method,
            path,
            headers: { ...headers, host: upstream.host },
          },
          (res) => {
            read(res).then(
              (text) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: text }),
              reject,
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );

  const server = createServer((req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const text = await read(req);
      const key = (req.headers['x-idempotency-key'] as string | undefined) ?? null;
      const pathOnly = path.split('?')[0]!;
      const rule = rules.find((r) => r.left > 0 && r.method === method && r.path.test(pathOnly));
      if (rule) rule.left--;
      let status: number;
      let body: unknown;
      let headers: Record<string, string | string[] | undefined> = {
        'content-type': 'application/json',
        'x-request-id': `proxy-${exchanges.length}`,
      };
      if (rule?.fake) {
        ({ status, body } = rule.fake(parse(text)));
      } else {
        const answer = await forward(method, path, req.headers, text);
        headers = { ...answer.headers };
        delete headers['content-length'];
        status = answer.status;
        body = parse(answer.body);
        const id = (body as Json | null)?.id;
        if (key && method === 'POST' && /\/refunds\/?$/.test(pathOnly) && status < 300 && id !== undefined)
          made.set(key, String(id));
        if (rule?.rewrite && typeof body === 'object' && body !== null)
          ({ status, body } = rule.rewrite({ status, body: body as Json }));
      }
      exchanges.push({ method, path: pathOnly, key, status, body });
      const out = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(out)) });
      res.end(out);
    })().catch(() => {
      // The sandbox dropped the connection (a fault): do the same.
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    refundMadeBy: (key) => made.get(key),
    rule: (rule) => rules.push({ ...rule, left: rule.times ?? 1 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
