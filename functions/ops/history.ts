/**
 * GET /payments/{paymentId}/history and GET /orders/{orderId}/history: the ledger's story, oldest first, 100
 * a page, from the ledger alone (no call to Mercado Pago). The ledger keeps its last 200 lines
 * (model/ledger/change.ts): a cursor names the last line shown, so a page never repeats one even when older
 * lines were dropped meanwhile.
 */
import * as z from 'zod/mini';
import type { HttpResponse } from '../http/types.ts';
import type { HistoryEntry } from '../model/ledger/types.ts';
import { subjectField } from '../model/ledger/view.ts';
import { decodeCursor, encodeCursor, PAGE_SIZE } from './cursor.ts';
import type { OpsDeps } from './deps.ts';
import { type Subject, subjectNotFound } from './subject.ts';

const lineSchema = z.object({ at: z.string(), change: z.string(), detail: z.string() });
type Line = z.infer<typeof lineSchema>;

const sameLine = (entry: HistoryEntry, line: Line): boolean =>
  entry.at === line.at && entry.change === line.change && entry.detail === line.detail;

export const readHistory = async (
  deps: Pick<OpsDeps, 'ledgers'>,
  input: { subject: Subject; cursor: string | undefined },
): Promise<HttpResponse> => {
  const after = decodeCursor(lineSchema, input.cursor);
  const ledger = await deps.ledgers.get(input.subject.id);
  if (!ledger) throw subjectNotFound(input.subject);
  const { history } = ledger;
  let start = 0;
  if (after !== undefined) {
    const shown = history.findIndex((entry) => sameLine(entry, after));
    start = shown >= 0 ? shown + 1 : history.findIndex((entry) => entry.at > after.at);
    if (start < 0) start = history.length;
  }
  const page = history.slice(start, start + PAGE_SIZE);
  const last = page.at(-1);
  return {
    status: 200,
    body: {
      ...subjectField(ledger),
      changes: page.map((entry) => ({
        at: entry.at,
        by: entry.by,
        change: entry.change,
        detail: entry.detail,
        mercadoPagoRequestId: entry.mercadoPagoRequestId,
      })),
      nextCursor:
        last !== undefined && start + PAGE_SIZE < history.length
          ? encodeCursor({ at: last.at, change: last.change, detail: last.detail })
          : undefined,
    },
  };
};
