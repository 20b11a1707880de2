/**
 * The reconciliation's events out (API.md "Events out"): `Reconciliation Completed` (counts), one
 * `Reconciliation Discrepancy` per discrepancy, `Reconciliation Failed` (reason). Like every event they leave
 * through the outbox of the write that made the change (the day's item, a discrepancy's item), with eventIds
 * stable per change.
 */
import { reconciliationEventId } from '../events/from-ledger.ts';
import { DetailType, EVENT_SCHEMA_VERSION, type OutEvent } from '../events/types.ts';
import type { Discrepancy, ReconciliationDay } from './reconciliation.ts';

export const completedEvent = (day: ReconciliationDay, at: string): OutEvent => ({
  detailType: DetailType.ReconciliationCompleted,
  detail: {
    version: EVENT_SCHEMA_VERSION,
    eventId: reconciliationEventId('completed', day.date, String(day.requests)),
    occurredAt: at,
    date: day.date,
    counts: { ...day.counts },
    reportFile: day.reportFile,
  },
});

export const discrepancyEvent = (date: string, discrepancy: Discrepancy, at: string): OutEvent => {
  const { key: _key, ...view } = discrepancy;
  return {
    detailType: DetailType.ReconciliationDiscrepancy,
    detail: {
      version: EVENT_SCHEMA_VERSION,
      eventId: reconciliationEventId('discrepancy', date, discrepancy.key),
      occurredAt: at,
      date,
      discrepancy: view,
    },
  };
};

export const failedEvent = (day: ReconciliationDay, reason: string, at: string): OutEvent => ({
  detailType: DetailType.ReconciliationFailed,
  detail: {
    version: EVENT_SCHEMA_VERSION,
    eventId: reconciliationEventId('failed', day.date, String(day.requests)),
    occurredAt: at,
    date: day.date,
    reason,
  },
});
