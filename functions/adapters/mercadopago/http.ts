/**
 * The HTTP transport to Mercado Pago: headers, timeouts, deadline, retries, and the classification of
 * every failure by what it means for money (see errors.ts). It knows nothing of payments or refunds.
 *
 * Rules that matter for a refund:
 * - A write keeps its `X-Idempotency-Key` on every try, so retrying after an uncertain failure cannot
 *   act twice.
 * - Once any try of a write may have reached Mercado Pago (sent then no clean answer, a 5xx, a 409 on the
 *   key), the call can no longer end "certainly not done": a later refusal or unavailability is reported
 *   `unknown_outcome`, because the earlier try may still have acted.
 */

import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher, Agent as UndiciAgent } from 'undici';
// Only the Agent (undici-agent.d.ts): the package's index would bundle fetch, WebSocket and more, unused.
import Agent from 'undici/lib/dispatcher/agent.js';
import { type Clock, systemClock } from '../../model/clock.ts';
import { type Logger, rootLogger } from '../../observability/logger.ts';
import { MetricName, putMetric } from '../../observability/metrics.ts';
import type { CallOptions } from '../../ports/mercadopago.ts';
import { MercadoPagoError, MpFailureKind } from '../../ports/mercadopago-errors.ts';
import { AttemptFailure, type AttemptResponse, type HttpMethod, performAttempt } from './attempt.ts';
import { parseErrorBody } from './error-body.ts';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfterMs, type RetryPolicy } from './retry.ts';

export interface Timeouts {
  /** TCP + TLS connection (only for the shared agent; a given dispatcher brings its own). */
  connectMs: number;
  /** From the request written to the response headers. */
  headersMs: number;
  /** Longest silence while the body arrives. */
  bodyMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 3_000, headersMs: 10_000, bodyMs: 10_000 };

const DEFAULT_USER_AGENT = 'mercadopago-refunds-lambda/0.1.0';
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface TransportOptions {
  baseUrl: string;
  /** Resolved once per call, so a rotated secret is picked up by the next call. */
  accessToken: () => Promise<string>;
  /** Tests pass their own; otherwise the module's shared keep-alive agent. */
  dispatcher?: Dispatcher;
  /** Used when a call brings no logger of its own. */
  log?: Logger;
  userAgent?: string;
  retry?: Partial<RetryPolicy>;
  timeouts?: Partial<Timeouts>;
  maxResponseBytes?: number;
  /** Waits between tries; must end early (resolve or reject) when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** In [0, 1): the jitter of the backoff. */
  random?: () => number;
  /**
   * The clock deadlines are measured with (callers pass deadlines from the same clock): the function's, so a
   * test that moves time moves the transport's too.
   */
  clock?: Clock;
}

export interface MpRequest {
  method: HttpMethod;
  /** Path with its segments already encoded, from the API root: `/v1/payments/123`. */
  path: string;
  /** Serialized as JSON. */
  body?: unknown;
  /** Sent as `X-Idempotency-Key`, identical on every try. */
  idempotencyKey?: string;
  /** May change something at Mercado Pago: decides how an uncertain failure is reported. */
  write: boolean;
  headers?: Record<string, string>;
  /** Non-2xx statuses handed back instead of thrown (e.g. 404 for a till without an order). */
  acceptStatuses?: readonly number[];
  /**
   * Error codes that make a write's 409 a refusal (Mercado Pago did not act: the Orders API's
   * `invalid_order_status`), instead of a request with this key still running there (outcome unknown).
   */
  refusedConflicts?: readonly string[];
  call?: CallOptions;
}

export interface MpResponse {
  status: number;
  body: string;
  /** Mercado Pago's `x-request-id`. */
  upstreamRequestId: string | undefined;
  attempts: number;
  /** An earlier try of this call may have been acted upon. */
  earlierAttemptMayHaveActed: boolean;
}

export type MercadoPagoTransport = (request: MpRequest) => Promise<MpResponse>;

// One keep-alive agent per connect timeout, at module scope: warm invocations reuse its connections.
const sharedAgents = new Map<number, UndiciAgent>();

export const sharedAgent = (connectTimeoutMs: number): UndiciAgent => {
  let agent = sharedAgents.get(connectTimeoutMs);
  if (!agent) {
    agent = new Agent({
      connect: { timeout: connectTimeoutMs },
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
    });
    sharedAgents.set(connectTimeoutMs, agent);
  }
  return agent;
};

/** Closes the shared agents (local server shutdown, tests). */
export const closeSharedAgents = async (): Promise<void> => {
  const agents = [...sharedAgents.values()];
  sharedAgents.clear();
  await Promise.all(agents.map((agent) => agent.close()));
};

class DeadlineExceededError extends Error {
  constructor() {
    super('call deadline reached');
    this.name = 'DeadlineExceededError';
  }
}

/** What one failed try means on its own. */
interface FailedTry {
  kind: MpFailureKind;
  mayHaveActed: boolean;
  retryable: boolean;
  description: string;
  httpStatus?: number;
  upstreamRequestId?: string;
  retryAfterMs?: number;
  causeCodes?: string[];
  upstreamMessage?: string;
  errorName?: string;
  cause?: unknown;
}

const firstHeader = (headers: AttemptResponse['headers'], name: string): string | undefined => {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
};

const isSuccess = (status: number) => status >= 200 && status < 300;

const classifyAnswer = (
  response: AttemptResponse,
  request: Pick<MpRequest, 'write' | 'refusedConflicts'>,
  nowMs: number,
): FailedTry => {
  const { status } = response;
  const { write } = request;
  const parsed = parseErrorBody(response.body);
  const base = {
    httpStatus: status,
    upstreamRequestId: firstHeader(response.headers, 'x-request-id'),
    causeCodes: parsed.causeCodes,
    upstreamMessage: parsed.upstreamMessage,
    ...(parsed.errorName === undefined ? {} : { errorName: parsed.errorName }),
    description: `answered ${status}${parsed.errorName ? ` ${parsed.errorName}` : ''}`,
  };
  const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], nowMs);
  // 429 rate limited: Mercado Pago did not act on this try.
  if (status === 429) {
    return { ...base, kind: MpFailureKind.Unavailable, mayHaveActed: false, retryable: true, retryAfterMs };
  }
  // 423: a request with this key is still running there. It may act: never "did not act" for a write.
  if (status === 423) {
    return write
      ? { ...base, kind: MpFailureKind.UnknownOutcome, mayHaveActed: true, retryable: true, retryAfterMs }
      : { ...base, kind: MpFailureKind.Unavailable, mayHaveActed: false, retryable: true, retryAfterMs };
  }
  // A 409 the caller names as a refusal (the resource's state forbids it): nothing was done.
  if (status === 409 && write && parsed.causeCodes.some((code) => request.refusedConflicts?.includes(code))) {
    return { ...base, kind: MpFailureKind.Refused, mayHaveActed: false, retryable: false };
  }
  // A write's 409 is a replay of a key still being processed (NOTES.md): that request may act.
  if (status === 409 && write) {
    return { ...base, kind: MpFailureKind.UnknownOutcome, mayHaveActed: true, retryable: true };
  }
  if (status >= 500) {
    return { ...base, kind: MpFailureKind.UnknownOutcome, mayHaveActed: true, retryable: true, retryAfterMs };
  }
  if (status >= 400) {
    return { ...base, kind: MpFailureKind.Refused, mayHaveActed: false, retryable: false };
  }
  // 1xx/3xx: Mercado Pago does not answer these; a write's fate is unknown.
  return write
    ? { ...base, kind: MpFailureKind.UnknownOutcome, mayHaveActed: true, retryable: false }
    : { ...base, kind: MpFailureKind.Unexpected, mayHaveActed: false, retryable: false };
};

const classifyNetworkFailure = (failure: AttemptFailure, abortedBy: string | undefined): FailedTry => {
  const reason = abortedBy ? `${abortedBy} abort` : (failure.code ?? 'network error');
  return failure.sent
    ? {
        kind: MpFailureKind.UnknownOutcome,
        mayHaveActed: true,
        retryable: abortedBy === undefined,
        description: `${reason} after the request was sent`,
        cause: failure,
      }
    : {
        kind: MpFailureKind.Unavailable,
        mayHaveActed: false,
        retryable: abortedBy === undefined,
        description: `${reason} before the request was sent`,
        cause: failure,
      };
};

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> => delay(ms, undefined, { signal });

export const createTransport = (options: TransportOptions): MercadoPagoTransport => {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const clock = options.clock ?? systemClock;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const baseUrl = new URL(options.baseUrl);
  const origin = baseUrl.origin;
  const pathPrefix = baseUrl.pathname.replace(/\/+$/, '');

  return async (request) => {
    const call = request.call ?? {};
    const log = call.log ?? options.log ?? rootLogger;
    const startedAt = clock.now();
    const deadline = Math.min(call.deadline ?? Number.POSITIVE_INFINITY, startedAt + policy.totalTimeoutMs);
    const logPath = request.path.split('?')[0];
    const label = `${request.method} ${logPath}`;
    const logFields = {
      method: request.method,
      path: logPath,
      idempotencyKey: request.idempotencyKey,
    };

    const notCalled = (why: string, cause?: unknown) =>
      new MercadoPagoError(`Mercado Pago ${label}: ${why}`, {
        kind: MpFailureKind.Unavailable,
        attempts: 0,
        retryAfterSeconds: policy.defaultRetryAfterSeconds,
        cause,
      });

    if (call.signal?.aborted) throw notCalled('aborted before calling', call.signal.reason);
    if (deadline <= startedAt) throw notCalled('the deadline has passed');

    let token: string;
    try {
      token = await options.accessToken();
    } catch (cause) {
      throw notCalled('could not obtain the access token', cause);
    }
    if (!token) throw notCalled('the access token is empty');

    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      'content-type': 'application/json',
      'user-agent': userAgent,
      ...request.headers,
      ...(request.idempotencyKey ? { 'x-idempotency-key': request.idempotencyKey } : {}),
    };
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const dispatcher = options.dispatcher ?? sharedAgent(timeouts.connectMs);

    const deadlineController = new AbortController();
    const timer = setTimeout(
      () => deadlineController.abort(new DeadlineExceededError()),
      // Clamped: Node fires a timer above 2^31-1 ms at once.
      Math.min(Math.max(0, deadline - clock.now()), 2 ** 31 - 1),
    );
    const signal = call.signal
      ? AbortSignal.any([call.signal, deadlineController.signal])
      : deadlineController.signal;

    let mayHaveActed = false;
    let lastHttpStatus: number | undefined;
    let lastUpstreamRequestId: string | undefined;

    const giveUp = (failed: FailedTry, attempts: number): MercadoPagoError => {
      const kind = request.write && mayHaveActed ? MpFailureKind.UnknownOutcome : failed.kind;
      const retryAfterSeconds =
        kind !== MpFailureKind.Unavailable
          ? undefined
          : failed.retryAfterMs !== undefined
            ? Math.max(1, Math.ceil(failed.retryAfterMs / 1000))
            : policy.defaultRetryAfterSeconds;
      const error = new MercadoPagoError(
        `Mercado Pago ${label}: ${failed.description} (${kind}, ${attempts} attempt${attempts === 1 ? '' : 's'})`,
        {
          kind,
          httpStatus: lastHttpStatus,
          causeCodes: failed.causeCodes,
          upstreamMessage: failed.upstreamMessage,
          upstreamRequestId: lastUpstreamRequestId,
          retryAfterSeconds,
          attempts,
          errorName: failed.errorName,
          cause: failed.cause,
        },
      );
      // A refusal is Mercado Pago's answer; anything else (unreachable, busy, odd, unknown) is a failed call.
      if (kind !== MpFailureKind.Refused) putMetric(MetricName.MercadoPagoCallFailed);
      log.warn('mercadopago call failed', {
        ...logFields,
        kind,
        attempts,
        status: lastHttpStatus,
        mpRequestId: lastUpstreamRequestId,
        causeCodes: failed.causeCodes,
        upstreamMessage: failed.upstreamMessage,
      });
      return error;
    };

    /** Milliseconds to wait before the next try, or undefined to stop now. */
    const nextDelayMs = (failed: FailedTry, attempt: number): number | undefined => {
      if (!failed.retryable || attempt >= policy.maxAttempts) return undefined;
      let wait: number;
      if (failed.retryAfterMs !== undefined) {
        if (failed.retryAfterMs > policy.retryAfterCapMs) return undefined;
        wait = failed.retryAfterMs;
      } else {
        wait = backoffDelayMs(policy, attempt, random);
      }
      if (clock.now() + wait + policy.minAttemptMs > deadline) return undefined;
      return wait;
    };

    try {
      for (let attempt = 1; ; attempt++) {
        const attemptStartedAt = clock.now();
        let failed: FailedTry;
        try {
          const response = await performAttempt(dispatcher, {
            origin,
            path: pathPrefix + request.path,
            method: request.method,
            headers,
            body,
            headersTimeoutMs: timeouts.headersMs,
            bodyTimeoutMs: timeouts.bodyMs,
            maxResponseBytes,
            signal,
          });
          lastHttpStatus = response.status;
          lastUpstreamRequestId = firstHeader(response.headers, 'x-request-id');
          log.info('mercadopago call', {
            ...logFields,
            status: response.status,
            durationMs: clock.now() - attemptStartedAt,
            attempt,
            mpRequestId: lastUpstreamRequestId,
          });
          if (isSuccess(response.status) || request.acceptStatuses?.includes(response.status)) {
            return {
              status: response.status,
              body: response.body,
              upstreamRequestId: lastUpstreamRequestId,
              attempts: attempt,
              earlierAttemptMayHaveActed: mayHaveActed,
            };
          }
          failed = classifyAnswer(response, request, clock.now());
        } catch (error) {
          if (!(error instanceof AttemptFailure)) throw error;
          const abortedBy = call.signal?.aborted
            ? 'caller'
            : deadlineController.signal.aborted
              ? 'deadline'
              : undefined;
          failed = classifyNetworkFailure(error, abortedBy);
          log.info('mercadopago call', {
            ...logFields,
            status: null,
            error: error.code ?? error.message,
            sent: error.sent,
            durationMs: clock.now() - attemptStartedAt,
            attempt,
          });
        }
        mayHaveActed ||= failed.mayHaveActed;

        const wait = nextDelayMs(failed, attempt);
        if (wait === undefined) throw giveUp(failed, attempt);
        log.warn('mercadopago retry', {
          ...logFields,
          attempt,
          reason: failed.description,
          status: failed.httpStatus ?? null,
          mpRequestId: failed.upstreamRequestId,
          delayMs: wait,
        });
        await sleep(wait, signal).catch(() => undefined);
        if (signal.aborted) throw giveUp(failed, attempt);
      }
    } finally {
      clearTimeout(timer);
    }
  };
};
