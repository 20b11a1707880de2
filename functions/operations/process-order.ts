/**
 * An `order` notification (Orders API): re-read the order with our own token and bring its ledger up to date
 * (operations/sync-order.ts): its status (an order this service put on a till is paid, expired or cancelled
 * there: QR Order Paid / Expired, Order Cancelled), its refunds, a pending cancellation. A delivery no newer
 * than what the ledger recorded (`data.version`) reads and writes nothing.
 */
import { MERCADOPAGO } from '../model/actor.ts';
import type { Logger } from '../observability/logger.ts';
import type { ProcessingDeps } from './processing-deps.ts';
import { type OrderSync, syncOrder } from './sync-order.ts';

export type OrderNotificationOutcome = 'updated' | 'unchanged' | Exclude<OrderSync['kind'], 'synced'>;

export const processOrder = async (
  deps: ProcessingDeps,
  orderId: string,
  options: { log: Logger; deadline?: number | undefined; version?: number | undefined },
): Promise<OrderNotificationOutcome> => {
  const { log } = options;
  const sync = await syncOrder(deps, orderId, {
    by: MERCADOPAGO,
    log,
    deadline: options.deadline,
    userId: deps.userId,
    version: options.version,
  });
  if (sync.kind === 'other_seller')
    log.warn("notification for another seller's order ignored", { userId: sync.userId });
  if (sync.kind === 'not_found') log.warn('notified order not found with our token');
  if (sync.kind === 'stale') log.info('order delivery no newer than what is recorded: nothing read');
  return sync.kind === 'synced' ? (sync.written ? 'updated' : 'unchanged') : sync.kind;
};
