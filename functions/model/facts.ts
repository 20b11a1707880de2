/**
 * What Mercado Pago says, in the model's terms: the adapter that talks to Mercado Pago reads its bodies into
 * these (tolerating every form NOTES.md reports) and the rules decide what they prove. Amounts are major
 * units as Mercado Pago sent them (the ledger converts them with its currency); dates are the strings it
 * sent, or null.
 */

export interface RefundFact {
  id: string;
  /** The payment (or order) the body says the refund belongs to; null when it does not say. */
  subjectId: string | null;
  amount: number;
  /** Mercado Pago's word: approved, in_process, rejected, ... (Orders: processing, processed, ...). */
  status: string;
  dateCreated: string | null;
  /** Orders API: the payment transaction refunded (`PAY...`), when the body says. */
  transactionId?: string | null;
}

export interface PaymentFacts {
  id: string;
  status: string;
  statusDetail: string | null;
  currency: string;
  amount: number;
  dateCreated: string | null;
  dateApproved: string | null;
  dateLastUpdated: string | null;
  /** The seller the payment belongs to, when Mercado Pago says. */
  collectorId: string | null;
  /** QR or Point payment. */
  inPerson: boolean;
  /** The merchant order of a QR or Checkout payment, else null. */
  merchantOrderId: string | null;
  externalReference: string | null;
  refunds: RefundFact[];
}

/** A read of a resource and when this service received it (our clock). */
export interface Read<T> {
  facts: T;
  /** ISO-8601 UTC: when the answer arrived. */
  at: string;
  /** Mercado Pago's x-request-id of the read, for the history. */
  requestId?: string;
}

/**
 * A chargeback case as Mercado Pago reports it (GET /v1/chargebacks/{id}), in every form NOTES reports:
 * the documented one (`payments[]`, `coverage_applied`, documentation fields) and the SDK mocks' one
 * (`payment_id`, `status` new | in_review | won | lost, `currency_id`). Nothing is required but the id.
 */
export interface ChargebackFacts {
  id: string;
  paymentIds: string[];
  currency: string | null;
  /** Major units, or null when not said. */
  amount: number | null;
  /** true: the seller won (money back); false: lost; null: undecided or not said. */
  coverageApplied: boolean | null;
  /** The SDK form's status word, lower case, or null. */
  status: string | null;
  documentationStatus: string | null;
  documentationDeadline: string | null;
  dateCreated: string | null;
  dateLastUpdated: string | null;
}

/** A payment transaction of an Orders API order (`transactions.payments[]`). */
export interface OrderTransactionFact {
  /** `PAY...` (or an SDK-style `pay_...`): what a partial refund names. */
  id: string;
  amount: number;
  status: string;
  statusDetail: string | null;
}

/**
 * An Orders API order as Mercado Pago reports it (`GET /v1/orders/{id}`), in every form NOTES reports:
 * amounts from decimal strings, `currency` absent in some bodies (then implied by `site_id` or
 * `country_code`), dates `created_date`/`date_created`.
 */
export interface OrderFacts {
  id: string;
  /** `qr`, `online`, `point`... */
  type: string | null;
  status: string;
  statusDetail: string | null;
  /** The currency, when the body says or its site implies. */
  currency: string | null;
  /** The site of `site_id`, or of `country_code` (BRA -> MLB), when known. */
  siteId: string | null;
  totalAmount: number;
  createdDate: string | null;
  lastUpdatedDate: string | null;
  /** The seller, when the body says. */
  userId: string | null;
  externalReference: string | null;
  /** QR orders: the till (`config.qr.external_pos_id`) and the mode. */
  qr: { externalPosId: string; mode: string } | null;
  /** Dynamic and hybrid QR orders: the EMVCo string to render. */
  qrData: string | null;
  payments: OrderTransactionFact[];
  refunds: RefundFact[];
}
