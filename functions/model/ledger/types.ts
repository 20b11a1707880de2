/**
 * The ledger of one payment (or Orders API order): every refund we asked for and every refund Mercado Pago
 * reports, the subject's status, its cancellation, what waits on a person, and its history. Amounts are
 * integer minor units of the ledger's currency. One ledger is one DynamoDB item, so every invariant is kept
 * by a single conditional write.
 */
import type { Failure } from '../codes.ts';

/** Version of the stored document; older shapes are migrated on read (migrate.ts). */
export const LEDGER_DOC_VERSION = 2;

export const LedgerKind = { Payment: 'payment', Order: 'order' } as const;
export type LedgerKind = (typeof LedgerKind)[keyof typeof LedgerKind];

export const RefundStatus = { Pending: 'pending', Succeeded: 'succeeded', Failed: 'failed' } as const;
export type RefundStatus = (typeof RefundStatus)[keyof typeof RefundStatus];

export const RefundOrigin = { Api: 'api', External: 'external' } as const;
export type RefundOrigin = (typeof RefundOrigin)[keyof typeof RefundOrigin];

/**
 * Where our calls to Mercado Pago for a pending refund stand:
 * - `in_flight`: an attempt is being made, until `inFlightUntil` (its function's lock): after that it has
 *   certainly ended, whether or not it wrote its outcome;
 * - `unknown`: the last attempt ended without a known outcome (timeout, lost answer, 5xx after retries);
 * - `accepted`: Mercado Pago answered with a refund that has not finished (`in_process`).
 */
export const CallState = { InFlight: 'in_flight', Unknown: 'unknown', Accepted: 'accepted' } as const;
export type CallState = (typeof CallState)[keyof typeof CallState];

export interface CallRecord {
  state: CallState;
  /** Attempts made with the refund's Mercado Pago key (the first included). */
  attempts: number;
  lastAttemptAt: string;
  /** While in flight: after this instant no attempt can still be running. */
  inFlightUntil?: string;
}

/** A person's decision on something the system could not settle (operations routes). */
export interface Resolution {
  /** `person:<caller>`: the IAM caller or the JWT subject who decided. */
  by: string;
  note: string;
  at: string;
  /**
   * The refund recorded as made elsewhere that the person found to be this one (its own key's answer named
   * it): withdrawn from the ledger, its Mercado Pago refund counted once, through this refund.
   */
  reattributedFrom?: string;
  /** The request that recorded it: a repeat of it answers it again (never shown). */
  idempotencyKey?: string;
  fingerprint?: string;
}

interface RefundCommon {
  id: string;
  amountMinor: number;
  status: RefundStatus;
  /** Linked only on evidence (API.md): null while unknown. */
  mercadoPagoRefundId: string | null;
  /** Mercado Pago's own status word, as last read. */
  mercadoPagoStatus?: string;
  /** When the link to mercadoPagoRefundId was made. */
  linkedAt?: string;
  failure?: Failure;
  resolution?: Resolution;
  createdAt: string;
  updatedAt: string;
  /** When and by whom the refund reached succeeded or failed. */
  settledAt?: string;
  settledBy?: string;
  /** Orders API: the payment transaction refunded. */
  transactionId?: string;
}

/** A refund this service asked for. */
export interface OurRefund extends RefundCommon {
  origin: typeof RefundOrigin.Api;
  /** The caller's Idempotency-Key. */
  idempotencyKey: string;
  /** The request's fingerprint, to answer repeats of the key after its item expired. */
  fingerprint: string;
  /** The caller's key was freed (a 502): a repeat with it is a new request, not this refund. */
  keyFreed?: boolean;
  requestedBy: string;
  /** The caller asked for everything left (`{}`). */
  fullRefund: boolean;
  /** The body sent is `{}` (a full refund of an untouched payment), fixed at reservation. */
  sendsEmptyBody: boolean;
  reason?: string;
  externalReference?: string;
  /** While pending: our calls. Kept once settled, for the history. */
  call: CallRecord;
  /**
   * The Mercado Pago key of a refund reserved before keys were derived from the refund's id (a migrated
   * ledger): it must be re-sent with the key it was first sent with.
   */
  mercadoPagoKey?: string;
  /**
   * A Mercado Pago refund its own key's answer named, which the ledger holds for another refund (a
   * contradiction for a person): it is known which refund this is, so no amount and date match may claim it.
   */
  answeredWith?: string;
  /**
   * Reconciliation's sweep of new refunds saw it pending: from then on its ledger is never left out of the
   * due-work index on its account (change.ts, leftToTheSweep), whatever the window of the function writing.
   */
  sweptPending?: true;
}

/** A refund Mercado Pago reports that no refund of ours is (made in the panel, by another system, a claim). */
export interface ExternalRefund extends RefundCommon {
  origin: typeof RefundOrigin.External;
  mercadoPagoRefundId: string;
  /**
   * Recorded while a pending refund of ours of that amount could still be it (more such Mercado Pago refunds
   * than refunds of ours that could be them): counted, but not published; its own key's answer takes it
   * over, and it is confirmed (and published) once no refund of ours can be it any more.
   */
  provisional?: boolean;
}

export type RefundEntry = OurRefund | ExternalRefund;

export const isOurs = (entry: RefundEntry): entry is OurRefund => entry.origin === RefundOrigin.Api;

export interface StatusChange {
  status: string;
  statusDetail: string | null;
  at: string;
  by: string;
}

export const CancellationStatus = { Pending: 'pending', Cancelled: 'cancelled', Failed: 'failed' } as const;
export type CancellationStatus = (typeof CancellationStatus)[keyof typeof CancellationStatus];

export interface CancellationRecord {
  status: CancellationStatus;
  /** The caller's Idempotency-Key, or null without one. */
  idempotencyKey: string | null;
  /** Numbers the attempts that started afresh (after a failure): each has its own Mercado Pago key. */
  sequence: number;
  requestedBy: string;
  call: CallRecord;
  failure?: Failure;
  /** The failed record a new sequence started over: restored whole when the new attempt was never sent. */
  prior?: CancellationRecord;
  /** The caller's key was freed (a 502): a repeat with it is a new request. */
  keyFreed?: boolean;
  resolution?: Resolution;
  /** The Mercado Pago key of a migrated record (see OurRefund.mercadoPagoKey). */
  mercadoPagoKey?: string;
  createdAt: string;
  updatedAt: string;
}

export const AttentionKind = {
  SettlementContradiction: 'settlement_contradiction',
  RefundStatusUnknown: 'refund_status_unknown',
  /** A chargeback's documentation is due within CHARGEBACK_WARNING_DAYS: a person must send evidence. */
  ChargebackDeadline: 'chargeback_deadline',
} as const;
export type AttentionKind = (typeof AttentionKind)[keyof typeof AttentionKind];

/** Something only a person can settle: kept on the ledger until then, listed by the operations routes. */
export interface AttentionItem {
  kind: AttentionKind;
  /** Identifies the item, so the same finding is recorded once. */
  key: string;
  refundId?: string;
  mercadoPagoRefundId?: string;
  since: string;
  detail: string;
}

/** One line of the ledger's history (GET .../history). */
export interface HistoryEntry {
  at: string;
  by: string;
  change: string;
  detail: string;
  mercadoPagoRequestId?: string;
}

export const ChargebackStatus = { Open: 'open', Won: 'won', Lost: 'lost' } as const;
export type ChargebackStatus = (typeof ChargebackStatus)[keyof typeof ChargebackStatus];

export const ChargebackKind = { Chargeback: 'chargeback', Dispute: 'dispute' } as const;
export type ChargebackKind = (typeof ChargebackKind)[keyof typeof ChargebackKind];

/**
 * A chargeback (the card issuer took the money back) or a dispute (a buyer's claim) on the payment, as
 * Mercado Pago's chargeback reads and settlement report rows tell it.
 */
export interface ChargebackRecord {
  /** Mercado Pago's case id; a dispute row, which names none, gets `dispute:<row key>`. */
  id: string;
  kind: ChargebackKind;
  amountMinor: number;
  status: ChargebackStatus;
  /** Mercado Pago's words: pending, review_pending, valid, invalid, not_supplied, not_applicable. */
  documentationStatus: string | null;
  /** ISO: evidence must be sent before this (null: none given). */
  documentationDeadline: string | null;
  createdAt: string;
  updatedAt: string;
  /** Mercado Pago's `date_last_updated` as last applied (an older read changes nothing). */
  mercadoPagoUpdatedAt?: string;
}

export const SightingType = { Refund: 'refund', Chargeback: 'chargeback', Dispute: 'dispute' } as const;
export type SightingType = (typeof SightingType)[keyof typeof SightingType];

/** What a settlement report row did to this ledger (recorded once per row: a rerun finds it). */
export const SightingOutcome = {
  Matched: 'matched',
  AmountMismatch: 'amount_mismatch',
  RecordedExternal: 'recorded_external',
  Held: 'held',
  Unknown: 'unknown',
  Recorded: 'recorded',
} as const;
export type SightingOutcome = (typeof SightingOutcome)[keyof typeof SightingOutcome];

/** A settlement report row about this ledger: the evidence that Mercado Pago's accounting shows a movement. */
export interface ReportSighting {
  /** Identifies the row (its type, ids, amount and date), so a rerun of a report records nothing twice. */
  key: string;
  /** The report's UTC day (YYYY-MM-DD). */
  day: string;
  type: SightingType;
  /** The Mercado Pago refund or chargeback the row is (as it names it, or as it was matched); null: none. */
  mercadoPagoId: string | null;
  /** Our refund (or external record) the row was matched to. */
  refundId?: string;
  amountMinor: number;
  outcome: SightingOutcome;
}

/** A payment transaction of an order, as last read. */
export interface OrderTransaction {
  id: string;
  amountMinor: number;
  status: string;
}

/** What an order's ledger keeps of the order itself (refund checks, till events, stale deliveries). */
export interface OrderInfo {
  /** Mercado Pago's creation date of the order (its refund window counts from it); null when not shown. */
  createdAt: string | null;
  /** The site of the order's country, when Mercado Pago says. */
  siteId: string | null;
  externalReference: string | null;
  transactions: OrderTransaction[];
  /** The till this service put the order on (QR_API=orders): while open, reconciliation re-reads it. */
  till?: string;
  /** The highest `data.version` of an `order` webhook whose re-read changed this ledger. */
  version?: number;
}

/** When reconciliation looks at this ledger next (present while it holds pending work). */
export interface CheckSchedule {
  nextCheckAt: string;
  checks: number;
  /**
   * All the pending work is refunds of ours so new that reconciliation's sweep of the day index will visit
   * them (change.ts, leftToTheSweep): until this time the ledger store leaves the ledger out of the due-work
   * index (by its own clock when it writes). Recomputed by each write.
   */
  leftToSweepUntil?: string;
}

export interface Ledger {
  docVersion: typeof LEDGER_DOC_VERSION;
  kind: LedgerKind;
  /** The payment id (digits) or the order id (`ORD...`). */
  id: string;
  currency: string;
  totalMinor: number;
  /** Mercado Pago's status as last applied, and its `date_last_updated` then (statuses never go back). */
  status: string;
  statusDetail: string | null;
  statusUpdatedAt?: string;
  statusHistory: StatusChange[];
  refunds: RefundEntry[];
  cancellation?: CancellationRecord;
  /** Orders API orders only. */
  order?: OrderInfo;
  attention: AttentionItem[];
  history: HistoryEntry[];
  schedule?: CheckSchedule;
  /** Chargebacks and disputes on the payment (absent until the first). */
  chargebacks?: ChargebackRecord[];
  /** Settlement report rows about this ledger (absent until the first). */
  reported?: ReportSighting[];
  createdAt: string;
  updatedAt: string;
  /** Optimistic concurrency: 0 = not stored yet. */
  version: number;
}

/** Payments are digits; anything else is an Orders API order (`ORD...`). */
export const ledgerKindOf = (id: string): LedgerKind =>
  /^\d+$/.test(id) ? LedgerKind.Payment : LedgerKind.Order;
