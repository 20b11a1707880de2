/**
 * One settlement report file reconciled with the ledgers, streamed: the CSV is parsed as it arrives (a
 * well-kept parser, csv-parse; the separator, `;` or `,`, read from the header line), rows are taken in
 * batches of BATCH, and a batch is applied (each ledger's rows in file order, a few ledgers at a time) before
 * the parser is read further. Memory holds a batch, whatever the file's size (bench: a 100,000-row file).
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { RECONCILIATION } from '../../model/actor.ts';
import { isoAt } from '../../model/clock.ts';
import { must } from '../../model/invariant.ts';
import { andThen } from '../../model/ledger/change.ts';
import { applyChargebackRead } from '../../model/ledger/chargebacks.ts';
import { applyPaymentRead } from '../../model/ledger/payment-read.ts';
import { applyReportRow, type RowApplied } from '../../model/ledger/report-rows.ts';
import { type Ledger, SightingOutcome, SightingType } from '../../model/ledger/types.ts';
import { discrepancyEvent } from '../../model/reports/events.ts';
import { type Discrepancy, DiscrepancyKind, majorOf, subjectOf } from '../../model/reports/reconciliation.ts';
import { missingColumns, type ReportRow, readRow } from '../../model/reports/rows.ts';
import type { Logger } from '../../observability/logger.ts';
import { MetricName, putMetric } from '../../observability/metrics.ts';
import { isNotFound } from '../../ports/mercadopago-errors.ts';
import { ruleContext } from '../deps.ts';
import { runPool } from '../pool.ts';
import { readPayment } from '../sync-payment.ts';
import { updateLedger } from '../update-ledger.ts';
import type { ReportsDeps } from './deps.ts';

/** Rows applied at a time (and so held in memory at most). */
export const BATCH = 200;
/** Ledgers of a batch worked on at once. */
const CONCURRENCY = 8;

/** The file is not a settlement report this job can read (the day fails with this reason). */
export class ReportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportFormatError';
  }
}

export interface FileResult {
  rows: number;
  matched: number;
  recordedExternal: number;
  /** Discrepancies the rows showed (new or found again by a rerun). */
  discrepancies: number;
  /** Of those, recorded by this run (the others were there already). */
  newDiscrepancies: number;
}

/** Reads the header line to choose the separator, then hands on every byte unchanged. */
const withSeparator = async (
  source: AsyncIterable<Uint8Array>,
): Promise<{ delimiter: string; bytes: AsyncIterable<Uint8Array> }> => {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let text = '';
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    text += Buffer.from(next.value).toString('utf8');
    if (text.includes('\n') || text.length > 65_536) break;
  }
  const header = text.split('\n')[0] ?? '';
  const delimiter = (header.match(/;/g)?.length ?? 0) > (header.match(/,/g)?.length ?? 0) ? ';' : ',';
  async function* bytes() {
    yield* head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { delimiter, bytes: bytes() };
};

interface Context {
  deps: ReportsDeps;
  date: string;
  log: Logger;
  deadline: number;
  result: FileResult;
}

const discrepancyOfRow = (
  ledger: Pick<Ledger, 'kind' | 'id' | 'currency'>,
  row: ReportRow,
  applied: RowApplied,
): Discrepancy | undefined => {
  const key = `row:${row.facts.key}`;
  const subject = subjectOf(ledger);
  const sighting = applied.kind === 'seen' ? applied.sighting : undefined;
  const outcome = sighting?.outcome;
  if (applied.kind === 'amount_mismatch' || outcome === SightingOutcome.AmountMismatch) {
    const refundId = applied.kind === 'amount_mismatch' ? applied.refundId : sighting?.refundId;
    const mercadoPagoRefundId =
      applied.kind === 'amount_mismatch' ? applied.mercadoPagoId : (sighting?.mercadoPagoId ?? undefined);
    const reported = Math.abs(row.facts.amount);
    const held =
      applied.kind === 'amount_mismatch'
        ? ` the ledger held ${majorOf(ledger, applied.ledgerAmountMinor)};`
        : '';
    return {
      key,
      kind: DiscrepancyKind.AmountMismatch,
      ...subject,
      refundId,
      mercadoPagoRefundId,
      amount: reported,
      detail: `Mercado Pago refund ${mercadoPagoRefundId} is ${reported} ${ledger.currency} in the settlement report;${held} the ledger now records the report's amount. Check which amount was refunded in the Mercado Pago panel.`,
    };
  }
  if (applied.kind === 'recorded_external' || outcome === SightingOutcome.RecordedExternal) {
    const refundId = applied.kind === 'recorded_external' ? applied.refundId : sighting?.refundId;
    const mercadoPagoRefundId =
      applied.kind === 'recorded_external' ? applied.mercadoPagoId : (sighting?.mercadoPagoId ?? undefined);
    return {
      key,
      kind: DiscrepancyKind.UnknownRefund,
      ...subject,
      refundId,
      mercadoPagoRefundId,
      amount: Math.abs(row.facts.amount),
      detail: `Mercado Pago refund ${mercadoPagoRefundId} of ${Math.abs(row.facts.amount)} ${ledger.currency} was made outside this service (panel, another system, a claim): recorded as a refund made elsewhere (${refundId}). Check who made it.`,
    };
  }
  if (applied.kind === 'unknown' || outcome === SightingOutcome.Unknown) {
    return {
      key,
      kind: DiscrepancyKind.UnknownRefund,
      ...subject,
      amount: Math.abs(row.facts.amount),
      detail: `The settlement report shows a refund of ${Math.abs(row.facts.amount)} ${ledger.currency} on ${ledger.id} that names no refund id and that Mercado Pago's payment does not list: nothing was recorded. Check the payment's refunds in the Mercado Pago panel.`,
    };
  }
  return undefined;
};

const count = (context: Context, applied: RowApplied) => {
  const outcome = applied.kind === 'seen' ? applied.sighting.outcome : undefined;
  const type = applied.kind === 'seen' ? applied.sighting.type : undefined;
  if (
    applied.kind === 'matched' ||
    applied.kind === 'amount_mismatch' ||
    (type === SightingType.Refund &&
      (outcome === SightingOutcome.Matched || outcome === SightingOutcome.AmountMismatch))
  )
    context.result.matched++;
  if (applied.kind === 'recorded_external' || outcome === SightingOutcome.RecordedExternal)
    context.result.recordedExternal++;
};

const record = async (context: Context, discrepancy: Discrepancy) => {
  context.result.discrepancies++;
  const { deps, date } = context;
  const added = await deps.reconciliations.addDiscrepancy(
    date,
    discrepancy,
    discrepancyEvent(date, discrepancy, isoAt(deps.clock.now())),
  );
  if (added) {
    context.result.newDiscrepancies++;
    putMetric(MetricName.ReconciliationDiscrepancy, 1, 'Count', { kind: discrepancy.kind });
    context.log.warn('reconciliation discrepancy', { date, discrepancy });
  }
};

/** A row's payment read at Mercado Pago (the row matched nothing, or its payment has no ledger yet). */
const readOrNull = async (context: Context, paymentId: string) => {
  try {
    return await readPayment(context.deps, paymentId, { log: context.log, deadline: context.deadline });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
};

/** Applies one row to its ledger (created from a payment read when this service had none). */
const applyRow = async (context: Context, row: ReportRow): Promise<void> => {
  const { deps } = context;
  const rules = ruleContext(deps, RECONCILIATION);
  let ledgerId = row.paymentId;
  if (row.orderId !== null && (await deps.ledgers.get(row.orderId)) !== undefined) ledgerId = row.orderId;
  const current = await deps.ledgers.get(ledgerId);
  const isPayment = ledgerId === row.paymentId;

  let outcome: { ledger: Ledger | undefined; result: RowApplied } | undefined;
  if (current !== undefined) {
    outcome = await updateLedger(
      deps.ledgers,
      ledgerId,
      current,
      (ledger) =>
        applyReportRow(must(ledger, 'a ledger is never deleted'), row.facts, rules, {
          afterRead: !isPayment,
        }),
      deps.conflicts,
    );
  }
  if (outcome === undefined || outcome.result.kind === 'needs_read') {
    const read = await readOrNull(context, row.paymentId);
    if (read === null) {
      await record(context, {
        key: `row:${row.facts.key}`,
        kind: DiscrepancyKind.UnknownRefund,
        paymentId: row.paymentId,
        mercadoPagoRefundId: row.facts.mercadoPagoId ?? undefined,
        amount: Math.abs(row.facts.amount),
        detail: `The settlement report shows a ${row.facts.type} row on payment ${row.paymentId}, which Mercado Pago does not show to this service's token: nothing was recorded.`,
      });
      return;
    }
    const facts = { facts: read.payment, at: read.at, requestId: read.payment.mercadoPagoRequestId };
    outcome = await updateLedger(
      deps.ledgers,
      row.paymentId,
      isPayment ? current : await deps.ledgers.get(row.paymentId),
      (ledger) => {
        const knownBefore = new Set((ledger?.refunds ?? []).map((entry) => entry.id));
        const first = applyPaymentRead(ledger, facts, rules);
        const base = first.ledger ?? must(ledger, 'a read of a payment without a ledger makes one');
        return andThen(first, base, (synced) =>
          applyReportRow(synced, row.facts, rules, { afterRead: true, knownBefore }),
        );
      },
      deps.conflicts,
    );
  }
  const { result } = outcome;
  const ledger = must(outcome.ledger, 'a row was applied to a ledger');
  count(context, result);
  const discrepancy = discrepancyOfRow(ledger, row, result);
  if (discrepancy !== undefined) await record(context, discrepancy);
  // A case this ledger learns from the report: its details (deadline, status) from Mercado Pago.
  if (
    result.kind === 'chargeback' &&
    result.recorded &&
    row.facts.type === SightingType.Chargeback &&
    row.facts.mercadoPagoId
  ) {
    await followChargeback(context, ledger.id, row.facts.mercadoPagoId);
  }
};

const followChargeback = async (context: Context, ledgerId: string, chargebackId: string) => {
  const { deps } = context;
  try {
    const facts = await deps.mercadoPago.getChargeback(chargebackId, {
      log: context.log,
      deadline: context.deadline,
    });
    const read = { facts, at: isoAt(deps.clock.now()), requestId: facts.mercadoPagoRequestId };
    await updateLedger(
      deps.ledgers,
      ledgerId,
      await deps.ledgers.get(ledgerId),
      (ledger) =>
        ledger === undefined
          ? { ledger: null, events: [], result: null }
          : applyChargebackRead(ledger, read, ruleContext(deps, RECONCILIATION)),
      deps.conflicts,
    );
  } catch (error) {
    context.log.warn('chargeback of a report row could not be read: recorded from the row only', {
      chargebackId,
      error,
    });
  }
};

const applyBatch = async (context: Context, rows: ReportRow[]) => {
  const byLedger = new Map<string, ReportRow[]>();
  for (const row of rows) {
    const key = row.orderId ?? row.paymentId;
    const list = byLedger.get(key);
    if (list) list.push(row);
    else byLedger.set(key, [row]);
  }
  await runPool([...byLedger.values()], CONCURRENCY, async (list) => {
    for (const row of list) await applyRow(context, row);
  });
};

/**
 * Reconciles a settlement report (the bytes of the file as stored) with the ledgers; the bench calls it too.
 * Throws ReportFormatError when the header lacks a column it needs.
 */
export const reconcileReportFile = async (
  deps: ReportsDeps,
  input: { date: string; file: AsyncIterable<Uint8Array>; log: Logger; deadline: number },
): Promise<FileResult> => {
  const context: Context = {
    deps,
    date: input.date,
    log: input.log.child({ date: input.date }),
    deadline: input.deadline,
    result: { rows: 0, matched: 0, recordedExternal: 0, discrepancies: 0, newDiscrepancies: 0 },
  };
  const { delimiter, bytes } = await withSeparator(input.file);
  let checked = false;
  const parser = Readable.from(bytes).pipe(
    parse({
      delimiter,
      bom: true,
      columns: (header: string[]) => {
        const columns = header.map((name) => name.trim().toUpperCase());
        const missing = missingColumns(columns);
        if (missing.length > 0)
          throw new ReportFormatError(
            `the report lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
          );
        checked = true;
        return columns;
      },
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }),
  );
  let batch: ReportRow[] = [];
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      context.result.rows++;
      const reading = readRow(record, input.date);
      if (reading.kind === 'row') batch.push(reading.row);
      else if (reading.kind === 'unreadable') {
        await record_(context, reading.detail, context.result.rows);
      }
      if (batch.length >= BATCH) {
        await applyBatch(context, batch);
        batch = [];
      }
    }
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (error instanceof ReportFormatError) throw error;
    if (cause instanceof ReportFormatError) throw cause;
    if ((error as { code?: unknown }).code?.toString().startsWith('CSV_'))
      throw new ReportFormatError(`the report is not readable CSV: ${(error as Error).message}`);
    throw error;
  }
  if (!checked && context.result.rows === 0) {
    // An empty file (no header at all) is a day without movements only when it has a header: say so.
    throw new ReportFormatError('the report file is empty (no header line)');
  }
  await applyBatch(context, batch);
  return context.result;
};

const record_ = async (context: Context, detail: string, line: number) =>
  record(context, {
    key: `line:${line}`,
    kind: DiscrepancyKind.UnknownRefund,
    detail: `Row ${line} of the settlement report: ${detail}`,
  });
