/**
 * A fresh read of a payment or an order at Mercado Pago, in the terms the resolution rules check, with the way
 * to apply it to its ledger (the same rules as every other read): payments and Orders API orders alike.
 */
import type { RefundFact } from '../model/facts.ts';
import type { LedgerChange } from '../model/ledger/change.ts';
import { applyPaymentRead } from '../model/ledger/payment-read.ts';
import type { Ledger } from '../model/ledger/types.ts';
import type { RuleContext } from '../model/settings.ts';
import type { Logger } from '../observability/logger.ts';
import type { LedgerDeps, MercadoPagoDeps, OrderDefaults } from '../operations/deps.ts';
import { orderReadChange, readOrder } from '../operations/sync-order.ts';
import { readPayment } from '../operations/sync-payment.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';

export interface FreshRead {
  status: string;
  statusDetail: string | null;
  refunds: readonly RefundFact[];
  /** Applies the read to the subject's ledger, under the settlement rules. */
  apply(current: Ledger | undefined, context: RuleContext): LedgerChange<unknown>;
}

export type SubjectRead = { kind: 'read'; read: FreshRead } | { kind: 'not_found' };

export interface SubjectReader {
  read(id: string, options: { deadline: number; log: Logger }): Promise<SubjectRead>;
}

export const paymentReader = (deps: MercadoPagoDeps & Pick<LedgerDeps, 'clock'>): SubjectReader => ({
  async read(id, options) {
    try {
      const { payment, at } = await readPayment(deps, id, options);
      return {
        kind: 'read',
        read: {
          status: payment.status,
          statusDetail: payment.statusDetail,
          refunds: payment.refunds,
          apply: (current, context) =>
            applyPaymentRead(
              current,
              { facts: payment, at, requestId: payment.mercadoPagoRequestId },
              context,
            ),
        },
      };
    } catch (error) {
      if (isNotFound(error)) return { kind: 'not_found' };
      throw error;
    }
  },
});

export const orderReader = (
  deps: MercadoPagoDeps & Pick<LedgerDeps, 'clock'> & OrderDefaults,
): SubjectReader => ({
  async read(id, options) {
    try {
      const { order, at } = await readOrder(deps, id, options);
      return {
        kind: 'read',
        read: {
          status: order.status,
          statusDetail: order.statusDetail,
          refunds: order.refunds,
          apply: (current, context) => orderReadChange(current, { order, at }, context, deps.siteId),
        },
      };
    } catch (error) {
      if (isNotFound(error)) return { kind: 'not_found' };
      throw error;
    }
  },
});
