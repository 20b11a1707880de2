/** A notification URL for tests: records every POST and lets a test await the ones it expects. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves with the first request (already received or coming) that matches; rejects after `ms`. */
  next(match: (request: Received) => boolean, ms?: number): Promise<Received>;
  clear(): void;
  close(): Promise<void>;
}

export const startReceiver = async (): Promise<Receiver> => {
  const received: Received[] = [];
  const events = new EventEmitter();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const request = { url: new URL(req.url ?? '/', 'http://receiver'), headers: req.headers, body };
      received.push(request);
      res.writeHead(200);
      res.end();
      events.emit('request', request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/mercadopago`;
  return {
    url,
    received,
    next: (match, ms = 3000) => {
      const seen = received.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('request', listener);
          reject(new Error('no matching notification arrived'));
        }, ms);
        const listener = (request: Received) => {
          if (!match(request)) return;
          clearTimeout(timer);
          events.off('request', listener);
          resolve(request);
        };
        events.on('request', listener);
      });
    },
    clear: () => {
      received.length = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

/** Verifies `x-signature` as a client following NOTES.md would, over `signedId` (default: the query's data.id). */
export const verifies = (request: Received, secret: string, signedId?: string): boolean => {
  const parts = new Map<string, string>();
  for (const part of String(request.headers['x-signature'] ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const ts = parts.get('ts');
  const v1 = parts.get('v1');
  const dataId = signedId ?? request.url.searchParams.get('data.id');
  if (!ts || !v1 || !dataId) return false;
  const manifest = `id:${dataId};request-id:${request.headers['x-request-id']};ts:${ts};`;
  const expected = createHmac('sha256', secret).update(manifest).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
};
