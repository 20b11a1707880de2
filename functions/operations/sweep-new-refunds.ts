/**
 * The sweep of new refunds: how reconciliation finds a refund whose function died in the middle of its call
 * (or whose outcome stayed unknown) when its ledger never entered the due-work index. A ledger whose only
 * pending work is refunds of ours reserved less than `firstCheckAfterMs - clockToleranceMs - 30 s` ago (by
 * the store's clock when it writes) is stored without index attributes (model/ledger/change.ts,
 * leftToTheSweep), so a refund that settles at once costs no index write. Every refund has an item in the
 * refunds-by-day index, written before its reservation; the sweep reads each shard of that index in order,
 * from where it stopped, up to `firstCheckAfterMs` ago, and hands each ledger still holding one of those
 * refunds pending over to reconciliation (the ledger enters the due index and is checked in this run, when
 * the due index would have shown it first).
 *
 * Why nothing is skipped: an index item is written before its ledger write; a reservation is stored within
 * 30 s of its `createdAt` and a ledger is left out only by a write sent before the window's end on its
 * writer's clock, so by the time the sweep's clock reads `createdAt + firstCheckAfterMs` both are stored
 * (clocks within the tolerance of each other). The ledger is read eventually consistently first (half the
 * read units): a refund shown final is final for good; a refund shown pending or not at all is decided on a
 * consistent read of its ledger (one per ledger and run, whichever shards its refunds are in). A shard's
 * position moves only past refunds so decided; a batch that cannot be decided keeps it there.
 */
import { RECONCILIATION } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { FIRST_SWEEP_LOOKBACK_MS, handOverToReconciliation, unchanged } from '../model/ledger/change.ts';
import { type Ledger, RefundStatus } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { RefundSweepIndex, ShardPointer, SweepCursorStore } from '../ports/refund-index.ts';
import { type LedgerDeps, ruleContext } from './deps.ts';
import { updateLedger } from './update-ledger.ts';

export interface SweepDeps extends LedgerDeps {
  refundSweep: { index: RefundSweepIndex; cursors: SweepCursorStore };
}

export interface SweepReport {
  /** Refunds read from the index. */
  swept: number;
  /** Ledgers handed over to reconciliation (a refund of theirs still pending), as stored: check them now. */
  handedOver: Ledger[];
  /** Shards that stopped on an error this run (retried from their position next run). */
  failed: number;
  /** false when the deadline stopped it before the present. */
  complete: boolean;
}

/** Refunds decided per batch (one BatchGetItem of their ledgers). */
const BATCH = 100;
/** Shards swept at once. */
const SHARDS_AT_ONCE = 4;

const refundOf = (ledger: Ledger | undefined, refundId: string) =>
  ledger?.refunds.find((entry) => entry.id === refundId);

export const sweepNewRefunds = async (
  deps: SweepDeps,
  options: { log: Logger; deadline: number },
): Promise<SweepReport> => {
  const nowMs = deps.clock.now();
  const upTo = isoAt(nowMs - deps.settings.firstCheckAfterMs);
  const firstDay = isoAt(nowMs - FIRST_SWEEP_LOOKBACK_MS).slice(0, 10);
  const report: SweepReport = { swept: 0, handedOver: [], failed: 0, complete: true };
  const handedOver = new Map<string, Ledger>();
  const positions = await deps.refundSweep.cursors.read();

  /**
   * Each ledger's latest version this run: read consistently once, then as the hand-over stored it. Every
   * refund of a ledger is decided against it, whichever shard or batch its index item is in.
   */
  const latest = new Map<string, Promise<Ledger | undefined>>();
  const latestOf = (ledgerId: string): Promise<Ledger | undefined> => {
    let read = latest.get(ledgerId);
    if (read === undefined) {
      read = deps.ledgers.get(ledgerId);
      latest.set(ledgerId, read);
    }
    return read;
  };
  const handOver = (ledgerId: string): Promise<Ledger | undefined> => {
    const next = latestOf(ledgerId).then(async (ledger) => {
      if (ledger === undefined) return ledger;
      const handed = await updateLedger(
        deps.ledgers,
        ledgerId,
        ledger,
        (current) =>
          current ? handOverToReconciliation(current, ruleContext(deps, RECONCILIATION)) : unchanged(false),
        deps.conflicts,
      );
      // Left to the sweep until now: check it in this run. Otherwise it is in the due index already.
      if (handed.result && handed.ledger !== undefined) {
        handedOver.set(ledgerId, handed.ledger);
        options.log.warn('a refund left to the sweep is still pending: handed over to reconciliation', {
          subjectId: ledgerId,
        });
      }
      return handed.ledger ?? ledger;
    });
    latest.set(ledgerId, next);
    return next;
  };

  /** Hands over the ledger of each refund of the batch still pending. */
  const decide = async (batch: readonly ShardPointer[]) => {
    const seen = await deps.ledgers.getMany(batch.map((pointer) => pointer.ledgerId));
    for (const pointer of batch) {
      const shown = refundOf(seen.get(pointer.ledgerId), pointer.refundId);
      // Final states are final: an earlier version showing it settled is the truth. Pending or not shown
      // (not stored yet, or an index item of a write that lost its race): decided on a consistent read.
      if (shown !== undefined && shown.status !== RefundStatus.Pending) continue;
      const ledger = await latestOf(pointer.ledgerId);
      if (refundOf(ledger, pointer.refundId)?.status !== RefundStatus.Pending) continue;
      await handOver(pointer.ledgerId);
    }
  };

  /** Where each shard got to and is not stored yet: stored in one write at the end of the run. */
  const reached = new Map<number, string>();
  const sweepShard = async (shard: number) => {
    const position = positions.get(shard);
    const from = position === undefined ? { day: firstDay } : { position };
    let batch: ShardPointer[] = [];
    /** A batch failed: the shard's position stays before it (retried next run), later ones are still decided. */
    let stuck = false;
    const flush = async () => {
      const last = batch.at(-1);
      if (last === undefined) return;
      try {
        await decide(batch);
      } catch (error) {
        if (!stuck) {
          report.failed++;
          options.log.error(
            'the sweep of new refunds could not decide a batch: its shard resumes there next run',
            {
              shard,
              from: batch[0]?.position,
              error,
            },
          );
        }
        stuck = true;
      }
      const full = batch.length === BATCH;
      report.swept += batch.length;
      batch = [];
      if (stuck) return;
      // A full batch is stored at once (a long sweep keeps its progress); the rest at the end of the run.
      if (full) {
        await deps.refundSweep.cursors.advance(new Map([[shard, last.position]]));
        reached.delete(shard);
      } else reached.set(shard, last.position);
    };
    try {
      for await (const pointer of deps.refundSweep.index.shardCreated(shard, from, upTo)) {
        batch.push(pointer);
        if (batch.length < BATCH) continue;
        await flush();
        if (deps.clock.now() >= options.deadline) {
          report.complete = false;
          return;
        }
      }
      await flush();
    } catch (error) {
      report.failed++;
      options.log.error('the sweep of new refunds failed in a shard: it resumes there next run', {
        shard,
        error,
      });
    }
  };

  const shards = Array.from({ length: deps.refundSweep.index.shards }, (_, shard) => shard);
  const worker = async () => {
    for (let shard = shards.shift(); shard !== undefined; shard = shards.shift()) {
      if (deps.clock.now() >= options.deadline) {
        report.complete = false;
        return;
      }
      await sweepShard(shard);
    }
  };
  await Promise.all(Array.from({ length: SHARDS_AT_ONCE }, worker));
  try {
    await deps.refundSweep.cursors.advance(reached);
  } catch (error) {
    report.failed++;
    options.log.error('the sweep could not store where it stopped: the next run sweeps those again', {
      error,
    });
  }
  report.handedOver = [...handedOver.values()];
  return report;
};
