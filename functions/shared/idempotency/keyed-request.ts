/**
 * The Idempotency-Key protocol of API.md, shared by every route that takes a key:
 * - one consistent read of the key and the payment's ledger; a new key is claimed with a conditional put;
 * - a known key with another route, payment or body is 422 IDEMPOTENCY_KEY_REUSED;
 * - a finished request is replayed (`Idempotent-Replayed: true`): its stored answer, or the answer the route
 *   derives from the current state (a stored 202 answers the current state);
 * - while the first request runs (its lock: the function's timeout) 409 REFUND_IN_PROGRESS with Retry-After 1;
 *   after, the work is taken over with a conditional write and resumed with the same Mercado Pago key.
 */
import type { Clock } from '../clock.ts';
import { ProblemError } from '../errors.ts';
import type { HttpResponse } from '../http/types.ts';
import type { PaymentLedger } from '../ledger/types.ts';
import type { Logger } from '../logger.ts';
import type { IdempotencyRecord, IdempotencyStore } from '../storage/idempotency-store.ts';

/** Past the Lambda's deadline, so that a lock never expires while its request can still be running. */
const LOCK_MARGIN_MS = 2_000;
/** A claim can fail because another request holds the key and then frees it (upstream failure): claim again. */
const MAX_CLAIMS = 3;

export interface KeyedRequestDeps {
  idempotency: IdempotencyStore;
  clock: Clock;
  newId: (prefix: string) => string;
}

export interface KeyedRequest {
  key: string;
  route: string;
  paymentId: string;
  fingerprint: string;
  requestId: string;
  deadline: number;
  log: Logger;
  /** Stored with the claim, e.g. the id of the refund it will reserve. */
  claimFields?: Pick<IdempotencyRecord, 'refundId'>;
}

export interface KeyedWork {
  /** The answer of a finished request derived from the current state; undefined while its work is in flight. */
  derive(record: IdempotencyRecord, ledger: PaymentLedger | undefined): HttpResponse | undefined;
  /** Does the work under the claim (a new key, or a resumed one whose lock had expired). */
  run(claim: IdempotencyRecord, ledger: PaymentLedger | undefined): Promise<HttpResponse>;
}

export const replayed = (response: HttpResponse): HttpResponse => ({
  ...response,
  headers: { ...response.headers, 'idempotent-replayed': 'true' },
});

const inProgress = (): never => {
  throw new ProblemError(
    'REFUND_IN_PROGRESS',
    'A request with this Idempotency-Key is still running; retry shortly.',
    {
      headers: { 'retry-after': '1' },
    },
  );
};

export const withIdempotencyKey = async (
  deps: KeyedRequestDeps,
  request: KeyedRequest,
  work: KeyedWork,
): Promise<HttpResponse> => {
  for (let attempt = 1; attempt <= MAX_CLAIMS; attempt++) {
    const { record, ledger } = await deps.idempotency.getWithLedger(request.key, request.paymentId);
    if (record) return answerKnownKey(deps, request, work, record, ledger);
    const claim: IdempotencyRecord = {
      key: request.key,
      route: request.route,
      paymentId: request.paymentId,
      fingerprint: request.fingerprint,
      ...request.claimFields,
      lockOwner: `${request.requestId}:${deps.newId('lock')}`,
      lockedUntil: request.deadline + LOCK_MARGIN_MS,
      createdAt: new Date(deps.clock.now()).toISOString(),
    };
    if (await deps.idempotency.claim(claim)) return work.run(claim, ledger);
  }
  return inProgress();
};

const answerKnownKey = async (
  deps: KeyedRequestDeps,
  request: KeyedRequest,
  work: KeyedWork,
  record: IdempotencyRecord,
  ledger: PaymentLedger | undefined,
): Promise<HttpResponse> => {
  if (record.route !== request.route || record.paymentId !== request.paymentId) {
    throw new ProblemError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used on another payment or route.',
    );
  }
  if (record.fingerprint !== request.fingerprint) {
    throw new ProblemError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request body.',
    );
  }
  if (record.response && record.response.status !== 202) return replayed(record.response);
  const derived = work.derive(record, ledger);
  if (derived) return replayed(derived);
  if (record.response) return replayed(record.response);
  if (record.lockedUntil > deps.clock.now()) return inProgress();
  const owner = `${request.requestId}:${deps.newId('lock')}`;
  const lockedUntil = request.deadline + LOCK_MARGIN_MS;
  if (!(await deps.idempotency.takeOver(record, owner, lockedUntil))) return inProgress();
  request.log.warn('resuming a request whose first attempt did not finish', {
    route: request.route,
    paymentId: request.paymentId,
    ...(record.refundId ? { refundId: record.refundId } : {}),
  });
  return work.run({ ...record, lockOwner: owner, lockedUntil }, ledger);
};
