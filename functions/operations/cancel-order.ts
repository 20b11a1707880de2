/**
 * Cancelling an Orders API order (POST /orders/{orderId}/cancellation, and the till routes' DELETE and
 * replacing PUT): one read of the order applied to its ledger, API.md's checks (already cancelled, expired,
 * still created / action_required), an attempt recorded in flight in the same write, then
 * `POST /v1/orders/{id}/cancel` with the attempt's key (operations/send-cancellation.ts) and its outcome
 * recorded. An outcome nobody can know yet stays pending (reconciliation re-sends it with the same key).
 */

import { lockUntil } from '../config/timing.ts';
import type { Actor } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import type { Failure } from '../model/codes.ts';
import { must } from '../model/invariant.ts';
import {
  beginCancellation,
  type CancellationStart,
  checkOrderCancellation,
  type OrderCancellationCheck,
  type OrderCancellationState,
  orderCancellationState,
} from '../model/ledger/cancellation.ts';
import { andThen, type LedgerChange, unchanged } from '../model/ledger/change.ts';
import { CancellationStatus, type Ledger } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import { type LedgerDeps, type MercadoPagoDeps, type OrderDefaults, ruleContext } from './deps.ts';
import { sendCancellation } from './send-cancellation.ts';
import { type OrderRead, orderReadChange, readOrder } from './sync-order.ts';
import { updateLedger } from './update-ledger.ts';

export interface OrderCancellationInput {
  orderId: string;
  /** The caller's Idempotency-Key, or null: the Mercado Pago key is then derived from the order. */
  idempotencyKey: string | null;
  by: Actor;
  deadline: number;
  log: Logger;
  /** The ledger as the caller read it (the keyed-request protocol reads it with the key). */
  known?: Ledger | undefined;
}

export type OrderCancellationOutcome =
  | { kind: 'not_found' }
  /** Nothing sent: already cancelled or expired (no call), or refused by the checks (e.g. paid). */
  | {
      kind: 'checked';
      check: Exclude<OrderCancellationCheck, { kind: 'cancellable' }>;
      status: string;
      statusDetail: string | null;
    }
  /** Another attempt of this cancellation is running. */
  | { kind: 'busy' }
  /** Sent (or past its re-send window): the state now, `pending` while unknown. */
  | { kind: 'recorded'; ledger: Ledger; state: OrderCancellationState }
  /** Mercado Pago certainly never received it: nothing recorded (503). */
  | { kind: 'not_sent'; retryAfterSeconds: number }
  /** A refusal no rule maps (502): recorded failed, the caller's key is freed. */
  | { kind: 'upstream_error'; failure: Failure };

type Prepared = { check: OrderCancellationCheck; start?: CancellationStart };

export const cancelOrder = async (
  deps: LedgerDeps & MercadoPagoDeps & OrderDefaults,
  input: OrderCancellationInput,
): Promise<OrderCancellationOutcome> => {
  const { orderId, log } = input;
  const known = input.known ?? (await deps.ledgers.get(orderId));
  let read: OrderRead | undefined;
  try {
    read = await readOrder(deps, orderId, input);
  } catch (error) {
    // Over 3 months old: its recorded state decides (Mercado Pago still cancels what it can).
    if (!isNotFound(error)) throw error;
    if (!known) return { kind: 'not_found' };
  }
  const status = read?.order.status ?? must(known, 'a recorded order').status;
  const statusDetail = read ? read.order.statusDetail : (known?.statusDetail ?? null);
  const check = checkOrderCancellation({ id: orderId, status });
  const context = ruleContext(deps, input.by);
  const lock = isoAt(lockUntil(input.deadline));
  const prepared = await updateLedger<Prepared>(
    deps.ledgers,
    orderId,
    known,
    (current): LedgerChange<Prepared> => {
      const synced = orderReadChange(current, read, context, deps.siteId);
      const base = synced.ledger ?? must(current, 'an order read (or its record) leaves a ledger');
      return andThen(synced, base, (ledger): LedgerChange<Prepared> => {
        if (check.kind !== 'cancellable') return unchanged({ check });
        const start = beginCancellation(
          ledger,
          { idempotencyKey: input.idempotencyKey, lockUntil: lock },
          context,
        );
        return { ...start, result: { check, start: start.result } };
      });
    },
    deps.conflicts,
  );
  const { start } = prepared.result;
  if (check.kind !== 'cancellable') return { kind: 'checked', check, status, statusDetail };
  const ledger = must(prepared.ledger, 'a checked order has its ledger');
  switch (start?.kind) {
    case 'busy':
      return { kind: 'busy' };
    case 'cancelled':
    case 'too_late':
      return { kind: 'recorded', ledger, state: orderCancellationState(ledger) };
    case 'ready':
      break;
    default:
      throw new Error('order cancellation attempt not started');
  }
  const sent = await sendCancellation(deps, {
    ledger,
    attempt: start.attempt,
    mercadoPagoKey: start.mercadoPagoKey,
    by: input.by,
    deadline: input.deadline,
    log,
  });
  if (sent.kind === 'not_sent') return { kind: 'not_sent', retryAfterSeconds: sent.retryAfterSeconds };
  const record = sent.record;
  if (record?.status === CancellationStatus.Failed && record.keyFreed)
    return {
      kind: 'upstream_error',
      failure: record.failure ?? { code: 'UPSTREAM_ERROR', detail: 'Mercado Pago answered unexpectedly.' },
    };
  const state = orderCancellationState(sent.ledger);
  if (state.status === 'pending') log.warn('order cancellation pending: left to reconciliation', { orderId });
  return { kind: 'recorded', ledger: sent.ledger, state };
};
