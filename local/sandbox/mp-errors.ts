/**
 * Mercado Pago's error answers: `{"message","error","status","cause":[{"code","description","data"}]}`.
 * Causes carry a numeric code only where Mercado Pago documents one; undocumented refusals (insufficient
 * balance, amount above what is left, the 21st refund) have an empty `cause`, so clients must map them
 * by status and message as NOTES.md says.
 */
import { errorCauseData } from './dates.ts';

export interface MpErrorCause {
  code: number | string;
  description: string;
  data: string | null;
}

export interface MpErrorBody {
  message: string;
  error: string;
  status: number;
  cause: MpErrorCause[];
}

/** Thrown by the sandbox's domain code; the router writes it as the answer. */
export class MpHttpError extends Error {
  readonly status: number;
  readonly body: MpErrorBody;
  readonly headers: Record<string, string>;

  constructor(body: MpErrorBody, headers: Record<string, string> = {}) {
    super(body.message);
    this.name = 'MpHttpError';
    this.status = body.status;
    this.body = body;
    this.headers = headers;
  }
}

export const mpError = (
  nowMs: number,
  status: number,
  error: string,
  message: string,
  code?: number | string,
): MpHttpError =>
  new MpHttpError({
    message,
    error,
    status,
    cause: code === undefined ? [] : [{ code, description: message, data: errorCauseData(nowMs) }],
  });

export const paymentNotFound = (nowMs: number): MpHttpError =>
  mpError(nowMs, 404, 'not_found', 'Payment not found', 2000);

export const badRequest = (nowMs: number, message: string, code?: number | string): MpHttpError =>
  mpError(nowMs, 400, 'bad_request', message, code);

/** A default body for an injected status (500, 503, 429, 423...). */
export const injectedErrorBody = (status: number): MpErrorBody => {
  const known: Record<number, [string, string]> = {
    400: ['bad_request', 'Bad request'],
    401: ['unauthorized', 'invalid access token'],
    404: ['not_found', 'resource not found'],
    409: ['conflict', 'Conflict'],
    423: ['locked', 'Resource locked: a request with this idempotency key is being processed'],
    429: ['too_many_requests', 'Too many requests'],
    500: ['internal_server_error', 'Internal server error'],
    502: ['bad_gateway', 'Bad gateway'],
    503: ['service_unavailable', 'Service unavailable'],
    504: ['gateway_timeout', 'Gateway timeout'],
  };
  const [error, message] = known[status] ?? ['error', `HTTP ${status}`];
  return { message, error, status, cause: [] };
};

/** Misuse of the sandbox's own control API (a test's mistake, not a Mercado Pago answer). */
export class SandboxControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxControlError';
  }
}
