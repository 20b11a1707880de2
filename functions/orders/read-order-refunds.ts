/** GET routes of order refunds: the order re-read at Mercado Pago merged with its ledger, or one refund. */

import { ProblemError } from '../http/problems.ts';
import type { HttpResponse } from '../http/types.ts';
import { MERCADOPAGO } from '../model/actor.ts';
import { must } from '../model/invariant.ts';
import { applyOrderRead } from '../model/ledger/order-read.ts';
import { refundsView, refundView } from '../model/ledger/view.ts';
import { SITE_CURRENCY } from '../model/money.ts';
import type { Logger } from '../observability/logger.ts';
import { ruleContext } from '../operations/deps.ts';
import { applyOrderReadTo, type OrderRead, readOrder } from '../operations/sync-order.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import type { OrderDeps } from './deps.ts';

const notFound = (orderId: string) => new ProblemError('ORDER_NOT_FOUND', `Order ${orderId} was not found.`);

export const listOrderRefunds = async (
  deps: OrderDeps,
  input: { orderId: string; deadline: number; log: Logger },
): Promise<HttpResponse> => {
  const current = await deps.ledgers.get(input.orderId);
  let read: OrderRead;
  try {
    read = await readOrder(deps, input.orderId, input);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    // Over 3 months old, Mercado Pago no longer serves it: what this service recorded, if anything.
    if (!current) throw notFound(input.orderId);
    return { status: 200, body: refundsView(current) };
  }
  const status = { status: read.order.status, statusDetail: read.order.statusDetail };
  if (!current && read.order.refunds.length === 0) {
    // Nothing to remember about this order yet: answer without writing.
    const view = applyOrderRead(
      undefined,
      { facts: read.order, at: read.at },
      ruleContext(deps, MERCADOPAGO),
      {
        defaultCurrency: SITE_CURRENCY[deps.siteId],
      },
    );
    return { status: 200, body: refundsView(must(view.ledger, 'a read order has its ledger'), status) };
  }
  const applied = await applyOrderReadTo(deps, current, read, MERCADOPAGO);
  return { status: 200, body: refundsView(must(applied.ledger, 'a synced order has its ledger'), status) };
};

export const getOrderRefund = async (
  deps: OrderDeps,
  input: { orderId: string; refundId: string },
): Promise<HttpResponse> => {
  const ledger = await deps.ledgers.get(input.orderId);
  const entry = ledger?.refunds.find((e) => e.id === input.refundId);
  if (!ledger || !entry) {
    throw new ProblemError(
      'REFUND_NOT_FOUND',
      `Refund ${input.refundId} of order ${input.orderId} was not found.`,
    );
  }
  return { status: 200, body: refundView(ledger, entry) };
};
