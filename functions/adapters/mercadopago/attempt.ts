/**
 * One HTTP exchange with Mercado Pago over undici's dispatch API. Used instead of `request()` because only
 * the dispatch handler tells when the request starts going out on a socket (`onRequestStart`): before that
 * point Mercado Pago certainly received nothing, after it the request may have been acted upon. That
 * difference decides between "safe to try again later" and "outcome unknown" for a refund.
 */
import type { Dispatcher } from 'undici';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface AttemptRequest {
  origin: string;
  path: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxResponseBytes: number;
  signal: AbortSignal;
}

export interface AttemptResponse {
  status: number;
  /** Lower-case names (undici parses them so). */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The exchange failed without a complete answer. */
export class AttemptFailure extends Error {
  /** True once undici started writing the request: Mercado Pago may have received and acted on it. */
  readonly sent: boolean;
  /** undici's or the system's error code (UND_ERR_SOCKET, ECONNREFUSED, ...), when there is one. */
  readonly code: string | undefined;

  constructor(cause: unknown, sent: boolean) {
    const code = errorCode(cause);
    super(`${code ?? 'request failed'}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'AttemptFailure';
    this.sent = sent;
    this.code = code;
  }
}

/** The code of an error or of the first error in its cause chain / aggregate that has one. */
export const errorCode = (error: unknown, depth = 0): string | undefined => {
  if (!(error instanceof Error) || depth > 4) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string' && own) return own;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const code = errorCode(inner, depth + 1);
      if (code) return code;
    }
  }
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return error.name;
  return errorCode(error.cause, depth + 1);
};

export const performAttempt = (dispatcher: Dispatcher, request: AttemptRequest): Promise<AttemptResponse> =>
  new Promise<AttemptResponse>((resolve, reject) => {
    const { signal } = request;
    let settled = false;
    let started = false;
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let headers: AttemptResponse['headers'] = {};
    const chunks: Buffer[] = [];
    let received = 0;

    const onAbort = () => {
      const reason: unknown = signal.reason;
      // Not yet on a socket: undici keeps connecting; onRequestStart will abort before writing a byte.
      controller?.abort(reason instanceof Error ? reason : new Error('aborted'));
      fail(reason, started);
    };
    const finish = () => {
      settled = true;
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (cause: unknown, sent: boolean) => {
      if (settled) return;
      finish();
      reject(new AttemptFailure(cause, sent));
    };

    if (signal.aborted) {
      fail(signal.reason, false);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(requestController) {
        controller = requestController;
        if (settled) {
          requestController.abort(new Error('aborted before sending'));
          return;
        }
        started = true;
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(responseController, chunk) {
        received += chunk.length;
        if (received > request.maxResponseBytes) {
          responseController.abort(new Error(`response body over ${request.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        if (settled) return;
        finish();
        resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') });
      },
      onResponseError(_controller, error) {
        fail(error, started);
      },
    };

    try {
      dispatcher.dispatch(
        {
          origin: request.origin,
          path: request.path,
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          headersTimeout: request.headersTimeoutMs,
          bodyTimeout: request.bodyTimeoutMs,
        },
        handler,
      );
    } catch (error) {
      fail(error, false);
    }
  });
