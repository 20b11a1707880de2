/**
 * GET /ops/attention: everything waiting on a person, oldest first, 100 a page. Read from the ledgers the
 * index holds with pending work or findings (due or not: the threshold is this function's
 * ATTENTION_AFTER_SECONDS, so nothing depends on reconciliation having run), the days whose settlement report
 * disagreed or failed (report-days.ts), and, in AWS, the notifications' dead-letter queue. A read: nothing is
 * written.
 */
import type { HttpResponse } from '../http/types.ts';
import { isoAt } from '../model/clock.ts';
import { attentionOf, attentionOrder, type LedgerAttentionItem } from '../model/ledger/attention.ts';
import type { Logger } from '../observability/logger.ts';
import { decodeCursor, encodeCursor, PAGE_SIZE, sinceKeySchema } from './cursor.ts';
import type { OpsDeps } from './deps.ts';
import { type ReportDayItem, reportDayItems } from './report-days.ts';

/** Ledgers read per BatchGetItem. */
const READ_BATCH = 100;

type Item = Omit<LedgerAttentionItem, 'kind'> & {
  kind: LedgerAttentionItem['kind'] | ReportDayItem['kind'] | 'dead_letters';
  queue?: string;
  date?: string;
};

const deadLetterItem = async (deps: OpsDeps, now: string, log: Logger): Promise<Item | undefined> => {
  const queue = deps.deadLetters;
  if (queue === undefined) return undefined;
  const suggestedAction =
    "Find why in the notification processor's log group, fix it, then `npm run ops -- redrive --dlq-arn <NotificationDeadLetterQueueArn>` moves them back (reconciliation settles pending refunds meanwhile).";
  const common = {
    kind: 'dead_letters' as const,
    queue: queue.name,
    since: now,
    key: `~dead_letters:${queue.name}`,
  };
  try {
    const count = await queue.count();
    if (count === 0) return undefined;
    return {
      ...common,
      detail: `${count} notification(s) failed 5 times and wait in the dead-letter queue ${queue.name}.`,
      suggestedAction,
    };
  } catch (error) {
    log.warn('the dead-letter queue could not be counted', { error });
    return {
      ...common,
      detail: `The dead-letter queue ${queue.name} could not be read now (${error instanceof Error ? error.name : 'error'}).`,
      suggestedAction: `Check it in the SQS console. ${suggestedAction}`,
    };
  }
};

export const listAttention = async (
  deps: OpsDeps,
  input: { cursor: string | undefined; log: Logger },
): Promise<HttpResponse> => {
  const after = decodeCursor(sinceKeySchema, input.cursor);
  const now = isoAt(deps.clock.now());
  const items: Item[] = [];
  let batch: string[] = [];
  const readBatch = async () => {
    for (const ledger of await deps.queries.getMany(batch))
      items.push(...attentionOf(ledger, now, deps.attentionAfterMs, deps.settings));
    batch = [];
  };
  // A refund is listed as pending too long after attentionAfterMs: newer ones need not be looked for.
  for await (const id of deps.queries.openLedgerIds(isoAt(deps.clock.now() - deps.attentionAfterMs))) {
    batch.push(id);
    if (batch.length === READ_BATCH) await readBatch();
  }
  await readBatch();
  items.push(...(await reportDayItems(deps.reconciliations, deps.clock.now())));
  const deadLetters = await deadLetterItem(deps, now, input.log);
  if (deadLetters) items.push(deadLetters);
  items.sort(attentionOrder);
  const start = after === undefined ? 0 : items.findIndex((item) => attentionOrder(item, after) > 0);
  const page = start < 0 ? [] : items.slice(start, start + PAGE_SIZE);
  const last = page.at(-1);
  const more = start >= 0 && start + PAGE_SIZE < items.length && last !== undefined;
  return {
    status: 200,
    body: {
      items: page.map(({ key: _key, ...item }) => item),
      nextCursor: more ? encodeCursor({ since: last.since, key: last.key }) : undefined,
    },
  };
};
