/** Reading requests and writing JSON answers (node:http, no framework). */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 1_048_576;

export interface Answer {
  status: number;
  /** JSON body; undefined = no body (204). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A body that is not JSON (a report's CSV file). */
export class TextBody {
  readonly contentType: string;
  readonly text: string;

  constructor(contentType: string, text: string) {
    this.contentType = contentType;
    this.text = text;
  }
}

export class BodyTooLargeError extends Error {}

export const readBody = (req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export type ParsedBody = { ok: true; value: unknown } | { ok: false };

/** Empty body = undefined (Mercado Pago treats no body like `{}` for refunds). */
export const parseJson = (raw: string): ParsedBody => {
  if (raw.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
};

export const writeAnswer = (res: ServerResponse, answer: Answer): void => {
  const headers: Record<string, string> = { 'x-request-id': randomUUID(), ...answer.headers };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  const { body } = answer;
  const [contentType, text] =
    body instanceof TextBody
      ? [body.contentType, body.text]
      : ['application/json; charset=utf-8', JSON.stringify(body)];
  res.writeHead(answer.status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
};

export const header = (headers: IncomingMessage['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};
