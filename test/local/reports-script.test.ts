/**
 * `npm run reports -- --date D` (local/reports.ts) as a process, end to end: a sandbox day with a refund of
 * ours and one made in the panel, reconciled through the DynamoDB and Mercado Pago it is pointed at, then
 * shown by GET /reports/reconciliations/D; a bad date is one line and exit 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createReconciliationStore } from '../../functions/adapters/dynamodb/reconciliation-store.ts';
import { createRefundIndex } from '../../functions/adapters/dynamodb/refund-index.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import { dayOf } from '../../functions/model/reports/days.ts';
import { reportRoutes } from '../../functions/reports/routes.ts';
import { refundApi } from '../refunds/support.ts';
import { type Harness, invoke, quietLogger, SANDBOX_TOKEN, startHarness } from '../support/harness.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let h: Harness;
let reportsDir: string;
beforeAll(async () => {
  h = await startHarness({ sandbox: { reportDelayMs: 0 } });
  reportsDir = mkdtempSync(join(tmpdir(), 'reports-script-'));
});
afterAll(async () => {
  await h.close();
  rmSync(reportsDir, { recursive: true, force: true });
});

const reports = async (args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, ['local/reports.ts', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DYNAMODB_ENDPOINT: h.dynamoEndpoint,
        TABLE_NAME: h.tableName,
        MP_API_BASE_URL: h.sandbox.url,
        MP_ACCESS_TOKEN: SANDBOX_TOKEN,
        MP_USER_ID: h.sandbox.userId,
        REPORTS_DIR: reportsDir,
        LOG_LEVEL: 'error',
      },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

it('reconciles a sandbox day end to end; GET /reports/reconciliations/D shows it', async () => {
  const paymentId = h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 100 });
  const ours = await refundApi(h).refund(paymentId, { amount: 40 });
  expect(ours.status).toBe(201);
  const panel = h.sandbox.dashboardRefund(paymentId, 10);
  const date = dayOf(Date.now());

  const outcome = await reports(['--date', date]);
  expect(outcome.stderr).toBe('');
  expect(outcome.code).toBe(0);
  const printed = JSON.parse(outcome.stdout);
  expect(printed).toMatchObject({
    date,
    status: 'completed',
    counts: { rows: 3, matched: 1, recordedExternal: 1, discrepancies: 1 },
    discrepancies: [{ kind: 'unknown_refund', paymentId, mercadoPagoRefundId: String(panel.id) }],
  });
  expect(printed.reportFile.startsWith(reportsDir)).toBe(true);

  const routes = createHttpHandler(
    reportRoutes(async () => ({
      ledgers: h.ledgers,
      index: createRefundIndex(h.dynamo, h.tableName),
      reconciliations: createReconciliationStore(h.dynamo, h.tableName),
      clock: h.clock,
      graceDays: 3,
    })),
    { logger: quietLogger },
  );
  const shown = await invoke(routes, { method: 'GET', path: `/reports/reconciliations/${date}` });
  expect(shown).toMatchObject({ status: 200, body: printed });

  // Run again: the same answer, nothing new published.
  const events = h.events().length;
  const again = await reports(['--date', date]);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toEqual(printed);
  expect(h.events()).toHaveLength(events);
});

it('a bad date is one line, exit 2', async () => {
  const outcome = await reports(['--date', '2026-02-30']);
  expect(outcome.code).toBe(2);
  expect(outcome.stderr.trim().split('\n')).toEqual(['--date must be a date YYYY-MM-DD, got "2026-02-30"']);
});
