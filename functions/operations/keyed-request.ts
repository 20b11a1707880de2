/**
 * The Idempotency-Key protocol of API.md, shared by every route that takes a key:
 * - one consistent read of the key and the ledger; a new key is claimed with a conditional put;
 * - a known key with another route, payment or body is `reused` (422);
 * - a finished request is `replayed`: its stored answer, or the answer derived from the current state;
 * - while the first request runs (its lock: the function's timeout) `in_progress` (409); after that the work
 *   is taken over with a conditional write and run again (it resumes with the same Mercado Pago key);
 * - a key whose item expired (IDEMPOTENCY_KEY_RETENTION_DAYS) is still answered from the ledger when the
 *   ledger holds a refund made with it: never a second refund.
 */

import type { Clock } from '../model/clock.ts';
import type { Ledger } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from '../ports/idempotency-store.ts';

/** A claim can fail because another request holds the key and then frees it (upstream failure): claim again. */
const MAX_CLAIMS = 3;
const DAY_SECONDS = 86_400;

export interface KeyedRequestDeps {
  idempotency: IdempotencyStore;
  clock: Clock;
  newId: (prefix: string) => string;
  /** IDEMPOTENCY_KEY_RETENTION_DAYS. */
  keyRetentionDays: number;
}

export interface KeyedRequest {
  key: string;
  route: string;
  subjectId: string;
  fingerprint: string;
  requestId: string;
  /** Epoch ms until which this request holds the key (its function's deadline and a margin). */
  lockUntil: number;
  log: Logger;
  /** Stored with the claim, e.g. the id of the refund it will reserve. */
  refundId?: string;
}

export interface KeyedWork {
  /** The answer a repeat gets from the current state; undefined while the work is in flight. */
  replay(record: IdempotencyRecord, ledger: Ledger | undefined): StoredResponse | undefined;
  /**
   * A key the store does not hold (expired, or never stored) that the ledger remembers: the fingerprint
   * recorded with it ('' = not recorded) and its answer now (undefined: still in flight).
   */
  remembered?(ledger: Ledger): { fingerprint: string; answer: StoredResponse | undefined } | undefined;
  /** The work under the claim (a new key, or one whose lock expired). */
  run(claim: IdempotencyRecord, ledger: Ledger | undefined): Promise<StoredResponse>;
}

export type KeyedOutcome =
  | { kind: 'ran'; response: StoredResponse }
  | { kind: 'replayed'; response: StoredResponse }
  | { kind: 'in_progress' }
  | { kind: 'reused'; detail: string };

const REUSED_ELSEWHERE = 'This Idempotency-Key was already used on another payment or route.';
const REUSED_BODY = 'This Idempotency-Key was already used with a different request body.';

export const withIdempotencyKey = async (
  deps: KeyedRequestDeps,
  request: KeyedRequest,
  work: KeyedWork,
): Promise<KeyedOutcome> => {
  for (let attempt = 1; attempt <= MAX_CLAIMS; attempt++) {
    const nowMs = deps.clock.now();
    const { record, ledger } = await deps.idempotency.getWithLedger(request.key, request.subjectId, nowMs);
    if (record) return answerKnownKey(deps, request, work, record, ledger);
    const remembered = ledger && work.remembered?.(ledger);
    if (remembered) return answerRemembered(remembered, request);
    const claim: IdempotencyRecord = {
      key: request.key,
      route: request.route,
      subjectId: request.subjectId,
      fingerprint: request.fingerprint,
      refundId: request.refundId,
      lockOwner: `${request.requestId}:${deps.newId('lock')}`,
      lockedUntil: request.lockUntil,
      createdAt: new Date(nowMs).toISOString(),
      expiresAt: Math.floor(nowMs / 1000) + deps.keyRetentionDays * DAY_SECONDS,
    };
    if (await deps.idempotency.claim(claim, nowMs))
      return { kind: 'ran', response: await work.run(claim, ledger) };
  }
  return { kind: 'in_progress' };
};

/** A key the ledger remembers: the same body is its refund's answer, another body is a reuse. */
const answerRemembered = (
  remembered: { fingerprint: string; answer: StoredResponse | undefined },
  request: KeyedRequest,
): KeyedOutcome => {
  if (remembered.fingerprint !== '' && remembered.fingerprint !== request.fingerprint)
    return { kind: 'reused', detail: REUSED_BODY };
  return remembered.answer ? { kind: 'replayed', response: remembered.answer } : { kind: 'in_progress' };
};

const answerKnownKey = async (
  deps: KeyedRequestDeps,
  request: KeyedRequest,
  work: KeyedWork,
  record: IdempotencyRecord,
  ledger: Ledger | undefined,
): Promise<KeyedOutcome> => {
  if (record.route !== request.route || record.subjectId !== request.subjectId) {
    // The key's item is another payment's now (this one's expired, and the key was used again there): this
    // payment's ledger still answers for the refund it made with it.
    const remembered = ledger && work.remembered?.(ledger);
    if (remembered) return answerRemembered(remembered, request);
    return { kind: 'reused', detail: REUSED_ELSEWHERE };
  }
  if (record.fingerprint !== request.fingerprint) return { kind: 'reused', detail: REUSED_BODY };
  if (record.response && record.response.status !== 202)
    return { kind: 'replayed', response: record.response };
  const derived = work.replay(record, ledger);
  if (derived) return { kind: 'replayed', response: derived };
  if (record.response) return { kind: 'replayed', response: record.response };
  if (record.lockedUntil > deps.clock.now()) return { kind: 'in_progress' };
  const owner = `${request.requestId}:${deps.newId('lock')}`;
  if (!(await deps.idempotency.takeOver(record, owner, request.lockUntil))) return { kind: 'in_progress' };
  request.log.warn('resuming a request whose first attempt did not finish', {
    route: request.route,
    subjectId: request.subjectId,
    refundId: record.refundId,
  });
  return {
    kind: 'ran',
    response: await work.run({ ...record, lockOwner: owner, lockedUntil: request.lockUntil }, ledger),
  };
};
