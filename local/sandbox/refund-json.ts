/** A refund as Mercado Pago answers it (shape of fixtures/refund_create_response.sdk-php.json). */
import { decimalsOf, fromMinorUnits } from '../../functions/model/money.ts';
import type { SandboxContext } from './context.ts';
import { mpDate } from './dates.ts';
import type { PaymentRecord, RefundRecord } from './state.ts';

export interface RefundJson {
  id: number;
  payment_id: number;
  amount: number;
  metadata: Record<string, unknown>;
  source: { id: string; name: string; type: string };
  date_created: string;
  expiration_date: string | null;
  unique_sequence_number: string | null;
  refund_mode: string;
  adjustment_amount: number;
  status: string;
  reason: string | null;
  labels: string[];
  amount_refunded_to_payer: number;
  additional_data: unknown;
  partition_details: unknown[];
}

export const refundJson = (ctx: SandboxContext, refund: RefundRecord, payment: PaymentRecord): RefundJson => {
  const amount = fromMinorUnits(refund.amountMinor, decimalsOf(payment.currency));
  return {
    id: Number(refund.id),
    payment_id: Number(refund.paymentId),
    amount,
    metadata: refund.origin === 'api' ? { status_detail: null } : {},
    source: { id: ctx.settings.userId, name: 'Sandbox Seller', type: 'collector' },
    date_created: mpDate(refund.dateCreated),
    expiration_date: null,
    unique_sequence_number: null,
    refund_mode: 'standard',
    adjustment_amount: 0,
    status: refund.status,
    reason: null,
    labels: [],
    amount_refunded_to_payer: refund.status === 'approved' ? amount : 0,
    additional_data: null,
    partition_details: [],
  };
};
