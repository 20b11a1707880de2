/**
 * GET /reports/refunds: refunds of every origin created in the UTC days `from` to `to` (at most 31), oldest
 * first, each with its reconciliation state, read from the refunds-by-day index and the ledgers (no Mercado
 * Pago call). JSON, or CSV with `Accept: text/csv` (the cursor then in a `Link` header).
 */
import { ProblemError } from '../http/problems.ts';
import type { HttpRequest, HttpResponse } from '../http/types.ts';
import { type RefundView, refundView } from '../model/ledger/view.ts';
import { spanOf } from '../model/reports/days.ts';
import { type RefundReconciliation, reconciliationOf } from '../model/reports/reconciliation.ts';
import type { RefundPointer } from '../ports/refund-index.ts';
import type { ReportsRouteDeps } from './deps.ts';
import { DEFAULT_LIMIT, decodeCursor, encodeCursor, MAX_RANGE_DAYS } from './schemas.ts';

export type ReportedRefund = RefundView & { reconciliation: RefundReconciliation };

export const CSV_COLUMNS = [
  'id',
  'paymentId',
  'orderId',
  'amount',
  'currency',
  'status',
  'origin',
  'mercadoPagoRefundId',
  'idempotencyKey',
  'reason',
  'externalReference',
  'failureCode',
  'createdAt',
  'updatedAt',
  'reconciliation',
] as const;

/** RFC 4180 field; a leading `=`, `+`, `-`, `@` is prefixed with `'` so a spreadsheet never runs it. */
const csvField = (value: string | number | null | undefined): string => {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export const refundsCsv = (refunds: ReportedRefund[]): string => {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of refunds) {
    lines.push(
      [
        r.id,
        r.paymentId,
        r.orderId,
        r.amount,
        r.currency,
        r.status,
        r.origin,
        r.mercadoPagoRefundId,
        r.idempotencyKey,
        r.reason,
        r.externalReference,
        r.failure?.code,
        r.createdAt,
        r.updatedAt,
        r.reconciliation,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
};

const wantsCsv = (accept: string | undefined): boolean => {
  if (accept === undefined) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase());
  const csv = types.indexOf('text/csv');
  const json = types.findIndex((t) => t === 'application/json' || t === '*/*');
  return csv >= 0 && (json < 0 || csv < json);
};

export const listReportedRefunds = async (
  deps: ReportsRouteDeps,
  query: { from: string; to: string; cursor?: string; limit?: number },
  req: Pick<HttpRequest, 'headers' | 'path'>,
): Promise<HttpResponse> => {
  if (query.to < query.from)
    throw new ProblemError('VALIDATION_ERROR', '`to` is before `from`.', {
      errors: [{ field: 'to', message: 'must not be before from' }],
    });
  if (spanOf(query.from, query.to) > MAX_RANGE_DAYS)
    throw new ProblemError('VALIDATION_ERROR', `A range covers at most ${MAX_RANGE_DAYS} days.`, {
      errors: [{ field: 'to', message: `must be at most ${MAX_RANGE_DAYS - 1} days after from` }],
    });
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (after === null)
    throw new ProblemError('VALIDATION_ERROR', 'The cursor is not one this API gave.', {
      errors: [{ field: 'cursor', message: 'is not a cursor this API gave' }],
    });
  const limit = query.limit ?? DEFAULT_LIMIT;
  const nowMs = deps.clock.now();
  const refunds: ReportedRefund[] = [];
  let more = false;
  const take = async (pointers: RefundPointer[]): Promise<boolean> => {
    const ledgers = await deps.ledgers.getMany(pointers.map((p) => p.ledgerId));
    for (const pointer of pointers) {
      const ledger = ledgers.get(pointer.ledgerId);
      const entry = ledger?.refunds.find((e) => e.id === pointer.refundId);
      // A pointer written for a write that then lost its race (or a reservation withdrawn): nothing there.
      if (!ledger || !entry) continue;
      if (refunds.length === limit) return true;
      refunds.push({
        ...refundView(ledger, entry),
        reconciliation: reconciliationOf(ledger, entry, nowMs, deps.graceDays),
      });
    }
    return false;
  };
  let batch: RefundPointer[] = [];
  for await (const pointer of deps.index.created(query.from, query.to, after)) {
    batch.push(pointer);
    if (batch.length >= Math.min(100, limit + 1)) {
      more = await take(batch);
      batch = [];
      if (more) break;
    }
  }
  if (!more && batch.length > 0) more = await take(batch);
  const last = refunds.at(-1);
  const nextCursor =
    more && last ? encodeCursor({ createdAt: last.createdAt, refundId: last.id }) : undefined;
  if (wantsCsv(req.headers.accept)) {
    const headers: Record<string, string> = { 'content-type': 'text/csv; charset=utf-8' };
    if (nextCursor !== undefined) {
      const params = new URLSearchParams({
        from: query.from,
        to: query.to,
        cursor: nextCursor,
        limit: String(limit),
      });
      headers.link = `<${req.path}?${params.toString()}>; rel="next"`;
    }
    return { status: 200, headers, text: refundsCsv(refunds) };
  }
  return {
    status: 200,
    body: { from: query.from, to: query.to, refunds, ...(nextCursor === undefined ? {} : { nextCursor }) },
  };
};
