/** `npm run reconcile` (local/reconcile.ts): one run against a DynamoDB endpoint and a sandbox, as a process. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refundApi } from '../refunds/support.ts';
import { invoke } from '../support/harness.ts';
import { approvedPayment, type Rig, startRig } from '../webhook/rig.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let rig: Rig;
let dir: string;

beforeAll(async () => {
  // The writes' first check is due at once: the run right after the 202 settles it (no waiting).
  rig = await startRig({ settings: { firstCheckAfterMs: 0 } });
  dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
});

afterAll(async () => {
  await rig?.close();
  rmSync(dir, { recursive: true, force: true });
});

const script = (env: Record<string, string>) =>
  run(process.execPath, ['local/reconcile.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', ...env },
    timeout: 60_000,
  });

it('settles a refund left pending, prints its report, and its event is published', async () => {
  const paymentId = approvedPayment(rig, 100);
  rig.h.sandbox.loseAnswer({ method: 'POST', path: `^/v1/payments/${paymentId}/refunds$`, times: 10 });
  const created = await invoke(rig.refunds, {
    method: 'POST',
    path: `/payments/${paymentId}/refunds`,
    body: { amount: 12.34 },
    headers: { 'idempotency-key': 'script-1' },
  });
  expect(created.status).toBe(202);
  await rig.h.sandbox.resetFaults();

  const { stdout } = await script({
    DYNAMODB_ENDPOINT: rig.h.dynamoEndpoint,
    TABLE_NAME: rig.h.tableName,
    MP_API_BASE_URL: rig.h.sandbox.url,
    MP_ACCESS_TOKEN: rig.h.sandbox.accessToken,
    MP_USER_ID: rig.h.sandbox.userId,
    RECONCILE_PENDING_AFTER_SECONDS: '1',
  });
  const report = stdout
    .split('\n')
    .filter((line) => line.startsWith('{"reconcile"'))
    .map((line) => JSON.parse(line) as { reconcile: Record<string, number> })[0];
  expect(report?.reconcile).toMatchObject({ checked: 1, settled: 1, failed: 0 });
  const entry = (await rig.h.ledgers.get(paymentId))?.refunds.find((e) => e.id === created.body.id);
  expect(entry?.status).toBe('succeeded');
  // Published by the DynamoDB it wrote through (the running server's forwarder), as the stream would.
  expect(rig.eventsInFile().map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);
});

it('explains what it needs when nothing is configured', async () => {
  await expect(script({})).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('MP_ACCESS_TOKEN'),
  });
  await expect(script({ MP_ACCESS_TOKEN: 'x' })).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('DYNAMODB_ENDPOINT'),
  });
});

it('right after a 202 checks nothing, and says why: the first check is due RECONCILE_PENDING_AFTER_SECONDS later', async () => {
  const paymentId = approvedPayment(rig, 100);
  // Written by a server with the default first check (120 s), as `npm start` is.
  const writer = refundApi(rig.h, { settings: { ...rig.h.settings, firstCheckAfterMs: 120_000 } });
  rig.h.sandbox.loseAnswer({ method: 'POST', path: `^/v1/payments/${paymentId}/refunds$`, times: 10 });
  expect((await writer.refund(paymentId, { amount: 5 })).status).toBe(202);
  await rig.h.sandbox.resetFaults();
  const { stdout } = await script({
    DYNAMODB_ENDPOINT: rig.h.dynamoEndpoint,
    TABLE_NAME: rig.h.tableName,
    MP_API_BASE_URL: rig.h.sandbox.url,
    MP_ACCESS_TOKEN: rig.h.sandbox.accessToken,
  });
  expect(stdout).toContain('"seen":0');
  expect(stdout).toContain('Nothing was due yet');
  expect(stdout).toContain('RECONCILE_PENDING_AFTER_SECONDS');
  expect(stdout).toContain(`npm run ops -- recheck ${paymentId}`);
});
