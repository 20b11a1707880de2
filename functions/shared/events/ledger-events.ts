/** Ledger changes to events out: for the processor and reconcile (ledger at hand) and the API routes (by id). */
import type { Clock } from '../clock.ts';
import { isoAt } from '../clock.ts';
import type { LedgerEvent } from '../ledger/ledger.ts';
import type { PaymentLedger } from '../ledger/types.ts';
import type { Logger } from '../logger.ts';
import type { LedgerStore } from '../storage/ledger-store.ts';
import { LEDGER_DETAIL_TYPES, outEventsFromLedger } from './from-ledger.ts';
import type { EventPublisher } from './publisher.ts';

export const publishLedgerEvents = async (
  publisher: EventPublisher,
  ledger: PaymentLedger,
  events: readonly LedgerEvent[],
  now: string,
  log: Logger,
): Promise<void> => {
  const out = outEventsFromLedger(ledger, events, now);
  if (out.length > 0) await publisher.publish(out, log);
};

/**
 * With EVENTS_VIA_STREAM (AWS) the events of a ledger write are stored in the written item (its outbox) and the
 * table's stream publishes them (functions/event-publisher): this publisher lets only the others through (QR
 * orders), so nothing is published twice and a crash after the write loses nothing.
 */
export const withoutLedgerEvents = (publisher: EventPublisher): EventPublisher => ({
  async publish(events, log) {
    const others = events.filter((event) => !LEDGER_DETAIL_TYPES.has(event.detailType));
    if (others.length > 0) await publisher.publish(others, log);
  },
});

const publishable = (event: LedgerEvent): boolean => event.type !== 'refund.pending';

/** `ledger`: the ledger of the write that made the events, when the caller has it (saves a read). */
export type LedgerEventsHandler = (
  paymentId: string,
  events: readonly LedgerEvent[],
  log: Logger,
  ledger?: PaymentLedger,
) => Promise<void>;

/**
 * The `onLedgerEvents` of the API routes' deps. They hand over the events of the write they won, and that
 * write's ledger when they have it; otherwise the ledger is read, only for the payment's id and currency
 * (which never change), never to find out what changed.
 */
export const ledgerEventsHandler =
  (deps: { publisher: EventPublisher; ledgers: LedgerStore; clock: Clock }): LedgerEventsHandler =>
  async (paymentId, events, log, known) => {
    if (!events.some(publishable)) return;
    try {
      const ledger = known ?? (await deps.ledgers.get(paymentId));
      if (!ledger) throw new Error(`no ledger for payment ${paymentId}`);
      await publishLedgerEvents(deps.publisher, ledger, events, isoAt(deps.clock.now()), log);
    } catch (error) {
      log.error('events of a ledger change not published', {
        error,
        paymentId,
        events: events.map((e) => e.type),
      });
    }
  };
