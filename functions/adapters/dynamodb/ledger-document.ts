/**
 * The stored form of a ledger: a JSON document with a `docVersion`, validated on read (a document this code
 * did not write is an error, never trusted), and migrated from older shapes:
 * - v1 (no docVersion): refunds with per-transition histories and Mercado Pago keys derived from the
 *   caller's key. Migrated refunds keep the key they were sent with (`mercadoPagoKey`), so a re-send of a
 *   pending one uses it again.
 */

import * as z from 'zod/mini';
import { must } from '../../model/invariant.ts';
import {
  CallState,
  type CancellationRecord,
  type HistoryEntry,
  LEDGER_DOC_VERSION,
  type Ledger,
  type RefundEntry,
  RefundStatus,
} from '../../model/ledger/types.ts';

const text = z.string();
const iso = z.string();
const failure = z.object({ code: z.string(), detail: z.string() });
const resolution = z.object({
  by: text,
  note: text,
  at: iso,
  reattributedFrom: z.optional(text),
  idempotencyKey: z.optional(text),
  fingerprint: z.optional(text),
});
const call = z.object({
  state: z.enum(['in_flight', 'unknown', 'accepted']),
  attempts: z.int(),
  lastAttemptAt: iso,
  inFlightUntil: z.optional(iso),
});
const refundCommon = {
  id: text,
  amountMinor: z.int(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  mercadoPagoStatus: z.optional(text),
  linkedAt: z.optional(iso),
  failure: z.optional(failure),
  resolution: z.optional(resolution),
  createdAt: iso,
  updatedAt: iso,
  settledAt: z.optional(iso),
  settledBy: z.optional(text),
  transactionId: z.optional(text),
};
const ourRefund = z.object({
  ...refundCommon,
  origin: z.literal('api'),
  mercadoPagoRefundId: z.nullable(text),
  idempotencyKey: text,
  fingerprint: text,
  keyFreed: z.optional(z.boolean()),
  requestedBy: text,
  fullRefund: z.boolean(),
  sendsEmptyBody: z.boolean(),
  reason: z.optional(text),
  externalReference: z.optional(text),
  call,
  mercadoPagoKey: z.optional(text),
  answeredWith: z.optional(text),
  sweptPending: z.optional(z.literal(true)),
});
const externalRefund = z.object({
  ...refundCommon,
  origin: z.literal('external'),
  mercadoPagoRefundId: text,
  provisional: z.optional(z.boolean()),
});

const cancellationFields = {
  status: z.enum(['pending', 'cancelled', 'failed']),
  idempotencyKey: z.nullable(text),
  sequence: z.int(),
  requestedBy: text,
  call,
  failure: z.optional(failure),
  keyFreed: z.optional(z.boolean()),
  resolution: z.optional(resolution),
  mercadoPagoKey: z.optional(text),
  createdAt: iso,
  updatedAt: iso,
};
/** A record keeps the failed one its sequence started over (one level: that one's own prior is dropped). */
const cancellationRecord = z.object({
  ...cancellationFields,
  prior: z.optional(z.object(cancellationFields)),
});

const ledgerV2 = z.object({
  docVersion: z.literal(LEDGER_DOC_VERSION),
  kind: z.enum(['payment', 'order']),
  id: text,
  currency: text,
  totalMinor: z.int(),
  status: text,
  statusDetail: z.nullable(text),
  statusUpdatedAt: z.optional(iso),
  statusHistory: z.array(z.object({ status: text, statusDetail: z.nullable(text), at: iso, by: text })),
  refunds: z.array(z.discriminatedUnion('origin', [ourRefund, externalRefund])),
  cancellation: z.optional(cancellationRecord),
  order: z.optional(
    z.object({
      createdAt: z.nullable(iso),
      siteId: z.nullable(text),
      externalReference: z.nullable(text),
      transactions: z.array(z.object({ id: text, amountMinor: z.int(), status: text })),
      till: z.optional(text),
      version: z.optional(z.number()),
    }),
  ),
  attention: z.array(
    z.object({
      kind: z.enum(['settlement_contradiction', 'refund_status_unknown', 'chargeback_deadline']),
      key: text,
      refundId: z.optional(text),
      mercadoPagoRefundId: z.optional(text),
      since: iso,
      detail: text,
    }),
  ),
  history: z.array(
    z.object({ at: iso, by: text, change: text, detail: text, mercadoPagoRequestId: z.optional(text) }),
  ),
  schedule: z.optional(z.object({ nextCheckAt: iso, checks: z.int(), leftToSweepUntil: z.optional(iso) })),
  chargebacks: z.optional(
    z.array(
      z.object({
        id: text,
        kind: z.enum(['chargeback', 'dispute']),
        amountMinor: z.int(),
        status: z.enum(['open', 'won', 'lost']),
        documentationStatus: z.nullable(text),
        documentationDeadline: z.nullable(iso),
        createdAt: iso,
        updatedAt: iso,
        mercadoPagoUpdatedAt: z.optional(iso),
      }),
    ),
  ),
  reported: z.optional(
    z.array(
      z.object({
        key: text,
        day: text,
        type: z.enum(['refund', 'chargeback', 'dispute']),
        mercadoPagoId: z.nullable(text),
        refundId: z.optional(text),
        amountMinor: z.int(),
        outcome: z.enum(['matched', 'amount_mismatch', 'recorded_external', 'held', 'unknown', 'recorded']),
      }),
    ),
  ),
  createdAt: iso,
  updatedAt: iso,
});

// ---- v1: the shape written before documents were versioned ----

const transitionV1 = z.object({ at: iso, status: text, by: text, note: z.optional(text) });
const refundV1 = z.looseObject({
  id: text,
  origin: z.enum(['api', 'external']),
  amountMinor: z.int(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  mercadoPagoRefundId: z.nullable(text),
  mercadoPagoStatus: z.optional(text),
  idempotencyKey: z.optional(text),
  mercadoPagoIdempotencyKey: z.optional(text),
  fullRefund: z.optional(z.boolean()),
  sendsEmptyBody: z.optional(z.boolean()),
  callState: z.optional(z.enum(['in_flight', 'unknown', 'accepted'])),
  attempts: z.optional(z.int()),
  lastAttemptAt: z.optional(iso),
  nextCheckAt: z.optional(iso),
  reconcileChecks: z.optional(z.int()),
  reason: z.optional(text),
  externalReference: z.optional(text),
  failure: z.optional(failure),
  requestedBy: text,
  createdAt: iso,
  updatedAt: iso,
  history: z.array(transitionV1),
});
const ledgerV1 = z.looseObject({
  paymentId: text,
  currency: text,
  totalMinor: z.int(),
  status: text,
  statusDetail: z.nullable(text),
  statusHistory: z.array(z.object({ status: text, statusDetail: z.nullable(text), at: iso, by: text })),
  mercadoPagoUpdatedAt: z.optional(iso),
  refunds: z.array(refundV1),
  cancellation: z.optional(
    z.looseObject({
      status: z.enum(['pending', 'cancelled', 'failed']),
      idempotencyKey: z.nullable(text),
      mercadoPagoIdempotencyKey: text,
      requestedBy: text,
      attempts: z.int(),
      lastAttemptAt: iso,
      nextCheckAt: z.optional(iso),
      reconcileChecks: z.optional(z.int()),
      failure: z.optional(failure),
      createdAt: iso,
      updatedAt: iso,
      history: z.array(transitionV1),
    }),
  ),
  createdAt: iso,
  updatedAt: iso,
});
type LedgerV1 = z.infer<typeof ledgerV1>;

const historyOf = (
  subject: 'refund' | 'cancellation',
  transitions: readonly z.infer<typeof transitionV1>[],
  id?: string,
): HistoryEntry[] =>
  transitions.map((t) => ({
    at: t.at,
    by: t.by,
    change:
      t.note === 'reserved'
        ? 'refund_reserved'
        : t.note === 'requested'
          ? 'cancellation_requested'
          : `${subject}_${t.status}`,
    detail: id === undefined ? (t.note ?? t.status) : `${id}: ${t.note ?? t.status}`,
  }));

const settledAt = (transitions: readonly z.infer<typeof transitionV1>[], status: string) =>
  transitions.findLast((t) => t.status === status);

export const migrateV1 = (v1: LedgerV1): Ledger => {
  const history: HistoryEntry[] = v1.statusHistory.map((s) => ({
    at: s.at,
    by: s.by,
    change: 'status_recorded',
    detail: `${s.status}${s.statusDetail ? `/${s.statusDetail}` : ''}`,
  }));
  const checks: { nextCheckAt?: string; reconcileChecks?: number; createdAt: string; pending: boolean }[] =
    [];
  const refunds: RefundEntry[] = v1.refunds.map((r) => {
    history.push(...historyOf('refund', r.history, r.id));
    checks.push({ ...r, pending: r.status === RefundStatus.Pending });
    const final = r.status === RefundStatus.Pending ? undefined : settledAt(r.history, r.status);
    const common = {
      id: r.id,
      amountMinor: r.amountMinor,
      status: r.status,
      mercadoPagoStatus: r.mercadoPagoStatus,
      ...(r.mercadoPagoRefundId !== null ? { linkedAt: final?.at ?? r.updatedAt } : {}),
      ...(r.failure ? { failure: r.failure as RefundEntry['failure'] & object } : {}),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      ...(final ? { settledAt: final.at, settledBy: final.by } : {}),
    };
    if (r.origin === 'external' || r.idempotencyKey === undefined) {
      return { ...common, origin: 'external', mercadoPagoRefundId: r.mercadoPagoRefundId ?? r.id };
    }
    return {
      ...common,
      origin: 'api',
      mercadoPagoRefundId: r.mercadoPagoRefundId,
      idempotencyKey: r.idempotencyKey,
      // Not recorded in v1: a repeat of the key after its item expired is answered without comparing bodies.
      fingerprint: '',
      ...(r.failure?.code === 'UPSTREAM_ERROR' ? { keyFreed: true } : {}),
      requestedBy: r.requestedBy,
      fullRefund: r.fullRefund ?? false,
      sendsEmptyBody: r.sendsEmptyBody ?? false,
      reason: r.reason,
      externalReference: r.externalReference,
      call: {
        state: r.callState ?? CallState.Unknown,
        attempts: r.attempts ?? 1,
        lastAttemptAt: r.lastAttemptAt ?? r.createdAt,
      },
      mercadoPagoKey: r.mercadoPagoIdempotencyKey,
    };
  });
  let cancellation: CancellationRecord | undefined;
  if (v1.cancellation) {
    const c = v1.cancellation;
    history.push(...historyOf('cancellation', c.history));
    checks.push({ ...c, pending: c.status === 'pending' });
    cancellation = {
      status: c.status,
      idempotencyKey: c.idempotencyKey,
      sequence: 1,
      requestedBy: c.requestedBy,
      call: { state: CallState.Unknown, attempts: c.attempts, lastAttemptAt: c.lastAttemptAt },
      ...(c.failure ? { failure: c.failure as CancellationRecord['failure'] & object } : {}),
      mercadoPagoKey: c.mercadoPagoIdempotencyKey,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }
  const pending = checks.filter((c) => c.pending);
  const schedule =
    pending.length === 0
      ? undefined
      : {
          nextCheckAt: must(
            pending.map((c) => c.nextCheckAt ?? c.createdAt).sort()[0],
            'pending work exists',
          ),
          checks: Math.max(...pending.map((c) => c.reconcileChecks ?? 0)),
        };
  history.sort((a, b) => a.at.localeCompare(b.at));
  return {
    docVersion: LEDGER_DOC_VERSION,
    kind: 'payment',
    id: v1.paymentId,
    currency: v1.currency,
    totalMinor: v1.totalMinor,
    status: v1.status,
    statusDetail: v1.statusDetail,
    statusUpdatedAt: v1.mercadoPagoUpdatedAt,
    statusHistory: v1.statusHistory,
    refunds,
    cancellation,
    attention: [],
    history,
    schedule,
    createdAt: v1.createdAt,
    updatedAt: v1.updatedAt,
    version: 0,
  };
};

export class LedgerDocumentError extends Error {
  constructor(id: string, problem: string) {
    super(`Stored ledger ${id} is not readable: ${problem}`);
    this.name = 'LedgerDocumentError';
  }
}

const issuesOf = (error: z.core.$ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');

/** A stored document (any version) as today's ledger, with the item's version. */
export const ledgerFromDocument = (json: unknown, version: number, id: string): Ledger => {
  const versioned = (json as { docVersion?: unknown } | null)?.docVersion;
  if (versioned === undefined) {
    const v1 = ledgerV1.safeParse(json);
    if (!v1.success) throw new LedgerDocumentError(id, `v1: ${issuesOf(v1.error)}`);
    return { ...migrateV1(v1.data), version };
  }
  const v2 = ledgerV2.safeParse(json);
  if (!v2.success) throw new LedgerDocumentError(id, issuesOf(v2.error));
  return { ...(v2.data as Omit<Ledger, 'version'>), version };
};

/** The document to store (the version lives in its own attribute, for the conditional write). */
export const documentOf = (ledger: Ledger): Omit<Ledger, 'version'> => {
  const { version: _version, ...doc } = ledger;
  return doc;
};
