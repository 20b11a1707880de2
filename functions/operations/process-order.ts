/**
 * An `order` notification (Orders API): re-read the order with our own token and bring its ledger up to date
 * (operations/sync-order.ts): its status (an order this service put on a till is paid, expired or cancelled
 * there: QR Order Paid / Expired, Order Cancelled), its refunds, a pending cancellation. A delivery no newer
 * than what the ledger recorded (`data.version`) reads and writes nothing. An order a till was still creating
 * when its create answer was lost is adopted by that till (its ledger, its id on the till), so its payment is
 * not missed.
 */
import { MERCADOPAGO } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { normalizeOrderId } from '../model/order.ts';
import { tillOrderCreated } from '../model/till.ts';
import type { Logger } from '../observability/logger.ts';
import type { MpOrder } from '../ports/mercadopago.ts';
import type { ProcessingDeps } from './processing-deps.ts';
import { type OrderSync, syncOrder } from './sync-order.ts';

export type OrderNotificationOutcome = 'updated' | 'unchanged' | Exclude<OrderSync['kind'], 'synced'>;

/** The till whose order being created (outcome unknown) this order is: same till and reference. */
const creatingTillOf = async (deps: ProcessingDeps, order: MpOrder): Promise<string | undefined> => {
  const pos = order.qr?.externalPosId;
  if (pos === undefined) return undefined;
  const current = (await deps.tills.get(pos))?.current;
  return current?.state === 'creating' && current.request.externalReference === order.externalReference
    ? pos
    : undefined;
};

export const processOrder = async (
  deps: ProcessingDeps,
  orderId: string,
  options: { log: Logger; deadline?: number | undefined; version?: number | undefined },
): Promise<OrderNotificationOutcome> => {
  const { log } = options;
  let adopted: string | undefined;
  const sync = await syncOrder(deps, orderId, {
    by: MERCADOPAGO,
    log,
    deadline: options.deadline,
    userId: deps.userId,
    version: options.version,
    tillOf: async (order) => {
      adopted = await creatingTillOf(deps, order);
      return adopted;
    },
  });
  if (sync.kind === 'synced' && adopted !== undefined) {
    const record = await deps.tills.get(adopted);
    const current = record?.current;
    if (record && current?.state === 'creating') {
      // A conflict means the till moved on (a PUT resolved it): nothing more to do here.
      await deps.tills.save(
        tillOrderCreated(
          record,
          { orderId: normalizeOrderId(sync.order.id), qrData: sync.order.qrData },
          isoAt(deps.clock.now()),
        ),
      );
      log.warn('order adopted by the till that was creating it (its create answer was lost)', {
        till: adopted,
      });
    }
  }
  if (sync.kind === 'other_seller')
    log.warn("notification for another seller's order ignored", { userId: sync.userId });
  if (sync.kind === 'not_found') log.warn('notified order not found with our token');
  if (sync.kind === 'stale') log.info('order delivery no newer than what is recorded: nothing read');
  return sync.kind === 'synced' ? (sync.written ? 'updated' : 'unchanged') : sync.kind;
};
