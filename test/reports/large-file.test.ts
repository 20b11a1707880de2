/**
 * A settlement report of 100,000 rows reconciled as a stream (the figure issue 10's bench reports): 99,500
 * SETTLEMENT rows only counted, 500 REFUND rows of refunds made in the panel on payments this service had no
 * ledger for (each read at Mercado Pago, its ledger created, the refund recorded as made elsewhere). The file
 * is produced as it is read, so any holding of it would show as heap growth: it stays bounded.
 */
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BATCH, reconcileReportFile } from '../../functions/operations/reports/reconcile-file.ts';
import { quietLogger } from '../support/harness.ts';
import { type Rig, startRig } from '../webhook/rig.ts';
import { reportsKit } from './support.ts';

const ROWS = 100_000;
const REFUNDS = 500;
const HEADER =
  'EXTERNAL_REFERENCE;SOURCE_ID;USER_ID;PAYMENT_METHOD_TYPE;PAYMENT_METHOD;SITE;TRANSACTION_TYPE;TRANSACTION_AMOUNT;' +
  'TRANSACTION_CURRENCY;TRANSACTION_DATE;FEE_AMOUNT;SETTLEMENT_NET_AMOUNT;SETTLEMENT_CURRENCY;SETTLEMENT_DATE;' +
  'REAL_AMOUNT;COUPON_AMOUNT;METADATA;MKP_FEE_AMOUNT;FINANCING_FEE_AMOUNT;SHIPPING_FEE_AMOUNT;TAXES_AMOUNT;' +
  'INSTALLMENTS;ORDER_ID;SHIPPING_ID;SHIPMENT_MODE;PACK_ID';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => rig.close());

it(`reconciles a ${ROWS.toLocaleString('en')}-row report with bounded memory`, {
  timeout: 300_000,
}, async () => {
  const refunds: { paymentId: string; refundId: string }[] = [];
  for (let i = 0; i < REFUNDS; i++) {
    const paymentId = rig.h.sandbox.createPayment({
      status: 'approved',
      siteId: 'MLB',
      amount: 100,
      refunds: [12.5],
    });
    refunds.push({ paymentId, refundId: String(rig.h.sandbox.refundsOf(paymentId)[0]?.id) });
  }
  const date = new Date().toISOString().slice(0, 10);
  const at = `${date}T12:00:00.000-00:00`;
  function* lines() {
    yield `${HEADER}\n`;
    const every = Math.floor(ROWS / REFUNDS);
    for (let i = 0; i < ROWS; i++) {
      const refund = i % every === 0 ? refunds[i / every] : undefined;
      yield refund
        ? `;${refund.paymentId};123456789;credit_card;visa;MLB;REFUND;-12.50;BRL;${at};0.00;-12.50;BRL;${at};-12.50;0.00;"[{""refund_id"":""${refund.refundId}""}]";0.00;0.00;0.00;0.00;1;;;;\n`
        : `ref-${i};${9_000_000_000 + i};123456789;credit_card;visa;MLB;SETTLEMENT;79.00;BRL;${at};-8.85;70.15;BRL;${at};70.15;0.00;[{}];-8.85;0.00;0.00;0.00;1;ref-${i};;;2E+15\n`;
    }
  }
  const kit = reportsKit(rig);
  // What the run holds (not the garbage V8 has not collected yet): the heap after a full collection,
  // sampled while it runs.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 100);
  let result: Awaited<ReturnType<typeof reconcileReportFile>>;
  try {
    result = await reconcileReportFile(kit.deps(), {
      date,
      file: Readable.from(lines(), { objectMode: false }),
      log: quietLogger,
      deadline: Date.now() + 300_000,
    });
  } finally {
    clearInterval(sampler);
  }
  console.error(`100,000 rows: heap grew by at most ${((peak - baseline) / 1_048_576).toFixed(1)} MB`);
  expect(result).toEqual({
    rows: ROWS,
    matched: 0,
    recordedExternal: REFUNDS,
    discrepancies: REFUNDS,
    newDiscrepancies: REFUNDS,
  });
  const ledger = await rig.h.ledgers.get(refunds[7]?.paymentId ?? '');
  expect(ledger?.refunds).toEqual([
    expect.objectContaining({
      origin: 'external',
      mercadoPagoRefundId: refunds[7]?.refundId,
      amountMinor: 1250,
    }),
  ]);
  // The file is about 25 MB (50 MB as JS strings) and 2.6 million fields: held whole, the heap would hold
  // hundreds of MB. Streamed in batches of BATCH rows it holds a few MB (this process also runs dynalite and
  // the sandbox, whose records of the 500 payments and their requests grow meanwhile).
  const growthMb = (peak - baseline) / 1_048_576;
  expect(BATCH).toBeLessThanOrEqual(500);
  expect(growthMb).toBeLessThan(32);
});
