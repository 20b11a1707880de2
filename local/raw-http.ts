/**
 * Requests that Node's HTTP parser refuses before the server sees them (an unknown method such as `FOO`, a
 * malformed header) get a bare `400` with no body from Node. To answer them like every other refusal
 * (problem+json, x-request-id), the server writes the response on the socket itself: these read what they
 * can of the refused bytes and write that response.
 */
import { STATUS_CODES } from 'node:http';

export interface RawRequestHead {
  method?: string;
  /** Without the query string. */
  path?: string;
  requestId?: string;
}

/** RFC 9110 token: what a method may be made of. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;
/** Printable ASCII only, so nothing read here can split a log line or an answer. */
const TARGET = /^\/[!-~]*$/;

/** The method, path and x-request-id of the bytes the parser refused, as far as they can be read. */
export const readRawRequestHead = (packet: Buffer | undefined): RawRequestHead => {
  if (packet === undefined) return {};
  const [requestLine = '', ...headerLines] = packet.toString('latin1').split('\r\n');
  const [method, target] = requestLine.split(' ');
  const head: RawRequestHead = {};
  if (method !== undefined && METHOD.test(method)) head.method = method;
  if (target !== undefined && TARGET.test(target)) head.path = target.split('?')[0];
  for (const line of headerLines) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'x-request-id') {
      head.requestId = line.slice(colon + 1).trim();
      break;
    }
  }
  return head;
};

/** A whole HTTP/1.1 response that closes the connection (the parser cannot go on after a refusal). */
export const rawHttpResponse = (
  status: number,
  headers: Record<string, string | number | boolean>,
  body: string,
): string => {
  const all = { ...headers, 'content-length': Buffer.byteLength(body), connection: 'close' };
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    ...Object.entries(all).map(([name, value]) => `${name}: ${String(value)}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
};
