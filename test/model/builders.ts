/** Builders for the model's unit tests: ledgers, reads, contexts at a chosen time. */
import { type Actor, caller, MERCADOPAGO } from '../../functions/model/actor.ts';
import type { OrderFacts, PaymentFacts, Read, RefundFact } from '../../functions/model/facts.ts';
import { applyPaymentRead } from '../../functions/model/ledger/payment-read.ts';
import { reserveRefund } from '../../functions/model/ledger/reserve.ts';
import type { Ledger, OurRefund } from '../../functions/model/ledger/types.ts';
import { DEFAULT_SETTLEMENT_SETTINGS, type RuleContext } from '../../functions/model/settings.ts';

export const T0 = Date.parse('2026-06-01T12:00:00.000Z');
export const at = (ms: number): string => new Date(T0 + ms).toISOString();
export const SECOND = 1_000;
export const MINUTE = 60_000;

let ids = 0;
export const context = (ms: number, by: Actor = MERCADOPAGO): RuleContext => ({
  now: at(ms),
  by,
  newRefundId: () => `rf_x${++ids}`,
  settings: DEFAULT_SETTLEMENT_SETTINGS,
});

export const mpRefund = (
  id: string,
  amount: number,
  status = 'approved',
  createdMs = 0,
  subjectId: string | null = '1',
): RefundFact => ({
  id,
  subjectId,
  amount,
  status,
  dateCreated: at(createdMs),
});

export const payment = (overrides: Partial<PaymentFacts> = {}): PaymentFacts => ({
  id: '1',
  status: 'approved',
  statusDetail: 'accredited',
  currency: 'BRL',
  amount: 100,
  dateCreated: at(-DAY),
  dateApproved: at(-DAY),
  dateLastUpdated: null,
  collectorId: null,
  inPerson: false,
  merchantOrderId: null,
  externalReference: null,
  refunds: [],
  ...overrides,
});
const DAY = 86_400_000;

export const read = (facts: PaymentFacts, ms: number): Read<PaymentFacts> => ({ facts, at: at(ms) });

/** A ledger read once from `facts` at `ms`. */
export const ledgerOf = (facts: PaymentFacts = payment(), ms = 0): Ledger => {
  const change = applyPaymentRead(undefined, read(facts, ms), context(ms));
  return { ...change.ledger!, version: 1 };
};

/** Reserves a refund of `amountMinor` (or everything) at `ms`, its attempt locked until `ms + lockMs`. */
export const reserve = (
  ledger: Ledger,
  refundId: string,
  amountMinor: number | 'all',
  ms: number,
  lockMs = 27 * SECOND,
): { ledger: Ledger; entry: OurRefund } => {
  const change = reserveRefund(
    ledger,
    {
      refundId,
      amount: amountMinor,
      idempotencyKey: `key-${refundId}`,
      fingerprint: `fp-${refundId}`,
      lockUntil: at(ms + lockMs),
    },
    { windowDays: 90, approvedAt: at(-DAY) },
    context(ms, caller('arn:aws:iam::1:user/merchant')),
  );
  if (change.result.kind !== 'reserved' || !change.ledger)
    throw new Error(`not reserved: ${JSON.stringify(change.result)}`);
  return { ledger: { ...change.ledger, version: ledger.version + 1 }, entry: change.result.entry };
};

/** The ledger after a change (the one it stores, else the same). */
export const storedAfter = (ledger: Ledger, change: { ledger: Ledger | null }): Ledger =>
  change.ledger ? { ...change.ledger, version: ledger.version + 1 } : ledger;

/** A refund of the ledger by id (typed as ours: the tests read its call record). */
export const entry = (ledger: Ledger, id: string) => ledger.refunds.find((e) => e.id === id) as OurRefund;

/** An Orders API order (processed, one payment of 100 BRL) and its payment transaction. */
export const ORDER_ID = 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3';
export const ORDER_PAYMENT_ID = 'PAY01JQ4S4KY8HWQ6NA5PXB65B3D4';
export const orderFacts = (overrides: Partial<OrderFacts> = {}): OrderFacts => ({
  id: ORDER_ID,
  type: 'qr',
  status: 'processed',
  statusDetail: 'accredited',
  currency: 'BRL',
  siteId: 'MLB',
  totalAmount: 100,
  createdDate: at(-DAY),
  lastUpdatedDate: null,
  userId: '123',
  externalReference: 'p',
  qr: null,
  qrData: null,
  payments: [{ id: ORDER_PAYMENT_ID, amount: 100, status: 'processed', statusDetail: 'accredited' }],
  refunds: [],
  ...overrides,
});

/** An Orders API refund entry: no date_created (fixtures order_refund_*.sdk-java.json; NOTES §1). */
export const orderRefundFact = (
  id: string,
  amount: number,
  status = 'processed',
  transactionId = ORDER_PAYMENT_ID,
): RefundFact => ({ id, subjectId: ORDER_ID, amount, status, dateCreated: null, transactionId });
