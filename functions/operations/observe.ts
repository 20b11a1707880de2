/**
 * What a stored ledger change tells operators: metrics and log lines. Events out leave through the write's
 * outbox; this is only what CloudWatch and the logs see of it.
 */
import type { LedgerEvent } from '../model/ledger/change.ts';
import { isOurs, RefundStatus } from '../model/ledger/types.ts';
import type { LogFields, Logger } from '../observability/logger.ts';
import { MetricName, putMetric } from '../observability/metrics.ts';

export interface ObserveOptions {
  /** Count settled refunds of ours (false where the caller counts its own outcome). */
  countSettlements: boolean;
  fields?: LogFields;
}

export const observeEvents = (events: readonly LedgerEvent[], log: Logger, options: ObserveOptions): void => {
  for (const event of events) {
    if (event.kind === 'attention.raised') {
      putMetric(MetricName.AttentionRaised, 1, 'Count', { kind: event.item.kind });
      log.error('listed for a person: nothing was changed', { ...options.fields, attention: event.item });
    } else if (options.countSettlements && event.kind === 'refund.settled' && isOurs(event.refund)) {
      putMetric(
        event.refund.status === RefundStatus.Succeeded ? MetricName.RefundSucceeded : MetricName.RefundFailed,
      );
    }
  }
};
