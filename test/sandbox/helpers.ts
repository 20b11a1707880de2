/** Calls the sandbox over real HTTP (global fetch), as the project's client does. */
import type { Sandbox } from '../../local/sandbox/index.ts';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: any;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  token?: string | null;
}

export const call = async (
  sandbox: Sandbox,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<HttpAnswer> => {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? sandbox.accessToken : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${sandbox.url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed };
};

/** The error fetch rejects with, and its cause's code (ECONNREFUSED, UND_ERR_SOCKET, ...). */
export const fetchFailure = async (
  promise: Promise<unknown>,
): Promise<{ message: string; code: string | undefined }> => {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { message: (error as Error).message, code: cause?.code };
  }
  throw new Error('expected the request to fail at the connection level');
};

export const refund = (
  sandbox: Sandbox,
  paymentId: string,
  key: string | undefined,
  body?: unknown,
  headers = {},
) =>
  call(sandbox, 'POST', `/v1/payments/${paymentId}/refunds`, {
    body,
    headers: { ...(key === undefined ? {} : { 'x-idempotency-key': key }), ...headers },
  });

/** A clock tests move by hand. */
export const manualClock = (start = Date.parse('2025-03-01T12:00:00.000Z')) => {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
};
