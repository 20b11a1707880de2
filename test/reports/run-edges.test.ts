/**
 * The reports job where runs meet each other or Mercado Pago takes its time: a configuration created by
 * someone else between the job's read and its create, two runs of one day at once (the hourly schedule and a
 * person's `npm run reports`), and a file that comes while a run waits for it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OUR_CONFIG, runReports } from '../../functions/operations/reports/run-reports.ts';
import { refundApi } from '../refunds/support.ts';
import { quietLogger } from '../support/harness.ts';
import { approvedPayment, type Rig, startRig } from '../webhook/rig.ts';
import { reportsKit } from './support.ts';

let rig: Rig;
let kit: ReturnType<typeof reportsKit>;
beforeEach(async () => {
  rig = await startRig({ sandbox: { reportDelayMs: 0 } });
  kit = reportsKit(rig);
});
afterEach(async () => rig.close());

const eventTypes = () => rig.events().map((e) => e['detail-type']);

describe('runs that meet', () => {
  it('a configuration created meanwhile by someone else is read again and used as it is', async () => {
    const real = kit.deps().reports;
    let reads = 0;
    const report = await kit.run([kit.today()], {
      reports: {
        ...real,
        getConfig: async (options) => {
          reads++;
          if (reads > 1) return real.getConfig(options);
          // Between this read (none yet) and the create, the merchant makes one.
          rig.h.sandbox.setReportConfig({ ...OUR_CONFIG, columns: [...OUR_CONFIG.columns] });
          return null;
        },
      },
    });
    expect(report.days[0]?.status).toBe('completed');
    expect(reads).toBe(2);
    expect(rig.h.sandbox.requests({ method: 'PUT', path: /config$/ })).toEqual([]);
  });

  it('two runs of one day at once: one reconciles it, the other leaves it; the refund matched once, its refund matched once, one Completed event', async () => {
    const api = refundApi(rig.h);
    const paymentId = approvedPayment(rig, 100);
    expect((await api.refund(paymentId, { amount: 30 })).status).toBe(201);
    const day = kit.today();
    const [a, b] = await Promise.all([kit.run([day]), kit.run([day])]);
    // One reconciles the day; the one that lost the race for the day's first write answers what it found
    // (still running, or completed when it looked late).
    const statuses = [a.days[0]?.status, b.days[0]?.status];
    expect(statuses).toContain('completed');
    for (const status of statuses) expect(['completed', 'running']).toContain(status);
    expect(eventTypes().filter((t) => t === 'Reconciliation Completed')).toHaveLength(1);
    const ledger = await rig.h.ledgers.get(paymentId);
    expect(ledger?.reported?.filter((s) => s.type === 'refund')).toHaveLength(1);
    expect(ledger?.refunds).toHaveLength(1);
    expect((await kit.reconciliation(day)).body).toMatchObject({
      status: 'completed',
      counts: { matched: 1 },
    });
  });
});

describe('waiting for the file', () => {
  it('a file that comes while the run waits is reconciled by that run', async () => {
    rig.h.sandbox.holdReports();
    let sleeps = 0;
    const report = await runReports(
      kit.deps({
        sleep: async (ms) => {
          sleeps++;
          rig.clock.advance(ms);
          rig.h.sandbox.releaseReports();
        },
      }),
      { log: quietLogger, deadline: rig.clock.now() + 120_000, days: [kit.today()], waitForFileMs: 60_000 },
    );
    expect(sleeps).toBe(1);
    expect(report.days[0]?.status).toBe('completed');
  });

  it('a file that does not come within the wait leaves the day running', async () => {
    rig.h.sandbox.holdReports();
    let waited = 0;
    const report = await runReports(
      kit.deps({
        sleep: async (ms) => {
          waited += ms;
          rig.clock.advance(ms);
        },
      }),
      { log: quietLogger, deadline: rig.clock.now() + 120_000, days: [kit.today()], waitForFileMs: 5_000 },
    );
    expect(report.days[0]?.status).toBe('running');
    // 500 + 1000 + 2000 ms, then the next wait would pass the 5 s.
    expect(waited).toBe(3_500);
  });
});
