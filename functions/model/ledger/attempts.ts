/**
 * When a refund of ours can be sent, and what its attempts' times allow: the Mercado Pago key it carries,
 * whether an attempt may still be running, its re-send window, and which Mercado Pago refunds it could have
 * made. Pure functions of the entry and the time.
 */
import { deterministicUuid } from '../ids.ts';
import type { SettlementSettings } from '../settings.ts';
import { CallState, type OurRefund } from './types.ts';

/** Tries of one refund in all (first attempt, resumes, re-sends): past it, only reads settle it. */
export const MAX_SEND_ATTEMPTS = 5;

/**
 * The Mercado Pago idempotency key of a refund: derived from its own id (one per reservation, never shared),
 * or the key a migrated refund was first sent with.
 */
export const mercadoPagoRefundKey = (entry: Pick<OurRefund, 'id' | 'mercadoPagoKey'>): string =>
  entry.mercadoPagoKey ?? deterministicUuid(`refund:${entry.id}`);

/** How long an attempt of a migrated refund (which recorded none) may have run. */
const LEGACY_ATTEMPT_MS = 30_000;

const attemptEndsByMs = (entry: OurRefund): number =>
  entry.call.inFlightUntil !== undefined
    ? Date.parse(entry.call.inFlightUntil)
    : Date.parse(entry.call.lastAttemptAt) + LEGACY_ATTEMPT_MS;

/** An attempt may still be running (its function's lock has not expired and it wrote no outcome). */
export const callInFlight = (entry: OurRefund, nowMs: number): boolean =>
  entry.call.state === CallState.InFlight && attemptEndsByMs(entry) > nowMs;

/** Past its re-send window with no attempt running: only rule (3) or a person can settle it now. */
export const canOnlyBeMatched = (entry: OurRefund, nowMs: number, settings: SettlementSettings): boolean =>
  !callInFlight(entry, nowMs) && nowMs - Date.parse(entry.createdAt) > settings.resendWindowMs;

export const withinResendWindow = (entry: OurRefund, nowMs: number, settings: SettlementSettings): boolean =>
  nowMs - Date.parse(entry.createdAt) <= settings.resendWindowMs;

/**
 * Whether a Mercado Pago refund created at `created` can be this refund's: reserved before it, and created
 * before its last attempt ended (both with the clock tolerance). Unknown dates rule nothing out.
 */
export const couldHaveMade = (entry: OurRefund, created: string | null, toleranceMs: number): boolean => {
  if (created === null) return true;
  const createdMs = Date.parse(created);
  return (
    Date.parse(entry.createdAt) <= createdMs + toleranceMs &&
    createdMs <= attemptEndsByMs(entry) + toleranceMs
  );
};
