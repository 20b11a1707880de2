import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { call, manualClock, refund } from './helpers.ts';

const clock = manualClock(Date.parse('2025-03-10T12:00:00.000Z'));
let sandbox: Sandbox;
const BASE = '/v1/account/settlement_report';
const PERIOD = { begin_date: '2025-03-01T00:00:00Z', end_date: '2025-03-31T23:59:59Z' };

/** Splits a CSV (quoted fields per RFC 4180) into rows of header -> value. */
const parseCsv = (text: string, separator: string): Record<string, string>[] => {
  const lines = text.trimEnd().split('\n');
  const split = (line: string) => {
    const out: string[] = [];
    let current = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quoted && ch === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = !quoted;
      else if (ch === separator && !quoted) {
        out.push(current);
        current = '';
      } else current += ch;
    }
    out.push(current);
    return out;
  };
  const header = split(lines[0]!);
  return lines.slice(1).map((line) => Object.fromEntries(split(line).map((v, i) => [header[i], v])));
};

const requestAndDownload = async (): Promise<{ name: string; text: string }> => {
  expect((await call(sandbox, 'POST', BASE, { body: PERIOD })).status).toBe(202);
  clock.advance(1000);
  const list = await call(sandbox, 'GET', `${BASE}/list`);
  const name = list.body.at(-1).file_name as string;
  const file = await call(sandbox, 'GET', `${BASE}/${name}`);
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
  return { name, text: file.body as string };
};

beforeAll(async () => {
  sandbox = await startSandbox({
    now: clock.now,
    seedDemoData: false,
    reportDelayMs: 1000,
    orderRefundDelayMs: 0,
  });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(() => {
  sandbox.setReportConfig(null);
  sandbox.adjustReports({});
  sandbox.releaseReports();
  sandbox.configure({ reportListForm: 'array', reportRefundSign: 'negative' });
});

describe('configuration', () => {
  it('has none at first (404); POST creates (201), POST again 409, PUT updates (200)', async () => {
    expect((await call(sandbox, 'GET', `${BASE}/config`)).status).toBe(404);
    expect((await call(sandbox, 'PUT', `${BASE}/config`, { body: { separator: ',' } })).status).toBe(404);
    const created = await call(sandbox, 'POST', `${BASE}/config`, {
      body: {
        file_name_prefix: 'my-report',
        columns: [{ key: 'SOURCE_ID' }],
        refund_detailed: true,
        scheduled: true,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      file_name_prefix: 'my-report',
      columns: [{ key: 'SOURCE_ID' }],
      separator: ';',
      display_timezone: 'GMT-04',
      refund_detailed: true,
      scheduled: false,
      frequency: { hour: 0, type: 'monthly', value: 1 },
    });
    expect((await call(sandbox, 'POST', `${BASE}/config`, { body: {} })).status).toBe(409);
    const updated = await call(sandbox, 'PUT', `${BASE}/config`, { body: { separator: ',' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ separator: ',', file_name_prefix: 'my-report' });
    expect((await call(sandbox, 'GET', `${BASE}/config`)).body.separator).toBe(',');
    const bad = await call(sandbox, 'PUT', `${BASE}/config`, { body: { separator: '#' } });
    expect(bad.status).toBe(400);
  });
});

describe('reports', () => {
  it('validates the period: required ISO dates, begin before end, at most 60 days', async () => {
    expect((await call(sandbox, 'POST', BASE, { body: {} })).status).toBe(400);
    const reversed = { begin_date: PERIOD.end_date, end_date: PERIOD.begin_date };
    expect((await call(sandbox, 'POST', BASE, { body: reversed })).status).toBe(400);
    const long = { begin_date: '2025-01-01T00:00:00Z', end_date: '2025-03-02T00:00:01Z' };
    expect((await call(sandbox, 'POST', BASE, { body: long })).status).toBe(400);
  });

  it('lists the file only after the delay, named <prefix>-<yyyy-MM-dd-HHmmss>.csv; unknown names 404', async () => {
    const before = (await call(sandbox, 'GET', `${BASE}/list`)).body.length;
    const task = await call(sandbox, 'POST', BASE, { body: PERIOD });
    expect(task.status).toBe(202);
    expect(task.body).toMatchObject({ status: 'pending', report_type: 'settlement', created_from: 'manual' });
    expect((await call(sandbox, 'GET', `${BASE}/list`)).body).toHaveLength(before);
    clock.advance(1000);
    const list = (await call(sandbox, 'GET', `${BASE}/list`)).body;
    expect(list).toHaveLength(before + 1);
    expect(list.at(-1)).toEqual({
      id: task.body.id,
      user_id: 123456789,
      begin_date: PERIOD.begin_date,
      end_date: PERIOD.end_date,
      file_name: expect.stringMatching(/^settlement-report-123456789-\d{4}-\d{2}-\d{2}-\d{6}\.csv$/),
      created_from: 'manual',
      date_created: expect.any(String),
    });
    expect((await call(sandbox, 'GET', `${BASE}/nope.csv`)).status).toBe(404);
    sandbox.configure({ reportListForm: 'paging' });
    const paged = (await call(sandbox, 'GET', `${BASE}/list`)).body;
    expect(paged.paging.total).toBe(before + 1);
    expect(paged.results).toHaveLength(before + 1);
  });

  it('holds reports back for ever until released', async () => {
    sandbox.holdReports();
    const before = (await call(sandbox, 'GET', `${BASE}/list`)).body.length;
    await call(sandbox, 'POST', BASE, { body: PERIOD });
    clock.advance(86_400_000);
    expect((await call(sandbox, 'GET', `${BASE}/list`)).body).toHaveLength(before);
    sandbox.releaseReports();
    expect((await call(sandbox, 'GET', `${BASE}/list`)).body).toHaveLength(before + 1);
  });

  it('builds rows from payments, refunds (API, dashboard, Orders), chargebacks and disputes of the period', async () => {
    const outside = sandbox.createPayment({
      status: 'approved',
      siteId: 'MLB',
      amount: 10,
      dateApproved: '2025-02-10T00:00:00Z',
    });
    const paid = sandbox.createPayment({
      status: 'approved',
      siteId: 'MLB',
      amount: 79,
      externalReference: 'ext-79',
    });
    await refund(sandbox, paid, 'report-refund-1', { amount: 10 });
    const dashboard = sandbox.dashboardRefund(paid, 5);
    const charged = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 40 });
    const chargebackId = sandbox.openChargeback(charged);
    const disputed = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 15 });
    sandbox.setPaymentStatus(disputed, 'in_mediation');
    const order = await call(sandbox, 'POST', '/v1/orders', {
      headers: { 'x-idempotency-key': 'report-order' },
      body: {
        type: 'qr',
        external_reference: 'qr-ext',
        config: { qr: { external_pos_id: 'POS7' } },
        transactions: { payments: [{ amount: '20.00' }] },
      },
    });
    const { paymentId: orderPayment } = sandbox.payOrder(order.body.id);
    const orderRefund = await call(sandbox, 'POST', `/v1/orders/${order.body.id}/refund`, {
      headers: { 'x-idempotency-key': 'report-order-refund' },
      body: { transactions: [{ id: order.body.transactions.payments[0].id, amount: '5.00' }] },
    });
    const orderRefundId = orderRefund.body.transactions.refunds[0].id as string;
    sandbox.setReportConfig({
      columns: [
        'TRANSACTION_TYPE',
        'SOURCE_ID',
        'EXTERNAL_REFERENCE',
        'ORDER_ID',
        'TRANSACTION_AMOUNT',
        'FEE_AMOUNT',
        'SETTLEMENT_NET_AMOUNT',
        'REAL_AMOUNT',
        'METADATA',
        'TRANSACTION_CURRENCY',
        'TRANSACTION_DATE',
        'EXTERNAL_POS_ID',
        'NOT_A_COLUMN',
      ].map((key) => ({ key })),
    });
    const { text } = await requestAndDownload();
    const rows = parseCsv(text, ';');
    expect(text.split('\n')[0]).toBe(
      'TRANSACTION_TYPE;SOURCE_ID;EXTERNAL_REFERENCE;ORDER_ID;TRANSACTION_AMOUNT;FEE_AMOUNT;SETTLEMENT_NET_AMOUNT;REAL_AMOUNT;METADATA;TRANSACTION_CURRENCY;TRANSACTION_DATE;EXTERNAL_POS_ID;NOT_A_COLUMN',
    );
    expect(rows.some((r) => r.SOURCE_ID === outside)).toBe(false);
    const settlement = rows.find((r) => r.TRANSACTION_TYPE === 'SETTLEMENT' && r.SOURCE_ID === paid)!;
    expect(settlement).toMatchObject({
      EXTERNAL_REFERENCE: 'ext-79',
      TRANSACTION_AMOUNT: '79.00',
      FEE_AMOUNT: '-3.94',
      SETTLEMENT_NET_AMOUNT: '75.06',
      REAL_AMOUNT: '60.06',
      METADATA: '[{}]',
      TRANSACTION_CURRENCY: 'BRL',
      NOT_A_COLUMN: '',
    });
    expect(settlement.TRANSACTION_DATE).toMatch(/-04:00$/);
    const refunds = rows.filter((r) => r.TRANSACTION_TYPE === 'REFUND' && r.SOURCE_ID === paid);
    expect(refunds.map((r) => r.TRANSACTION_AMOUNT)).toEqual(['-10.00', '-5.00']);
    expect(refunds[1]!.METADATA).toBe(`[{"refund_id":"${dashboard.id}"}]`);
    expect(rows.find((r) => r.TRANSACTION_TYPE === 'CHARGEBACK')).toMatchObject({
      SOURCE_ID: charged,
      TRANSACTION_AMOUNT: '-40.00',
      METADATA: `[{"chargeback_id":"${chargebackId}"}]`,
    });
    expect(rows.find((r) => r.TRANSACTION_TYPE === 'DISPUTE')).toMatchObject({
      SOURCE_ID: disputed,
      TRANSACTION_AMOUNT: '-15.00',
    });
    expect(rows.find((r) => r.TRANSACTION_TYPE === 'REFUND' && r.ORDER_ID === order.body.id)).toMatchObject({
      SOURCE_ID: orderPayment,
      EXTERNAL_REFERENCE: 'qr-ext',
      TRANSACTION_AMOUNT: '-5.00',
      METADATA: `[{"refund_id":"${orderRefundId}"}]`,
      EXTERNAL_POS_ID: 'POS7',
    });
    expect(
      rows.find((r) => r.TRANSACTION_TYPE === 'SETTLEMENT' && r.SOURCE_ID === orderPayment)!.ORDER_ID,
    ).toBe(order.body.id);
  });

  it('uses the configured separator and refund sign; injects, drops and alters rows', async () => {
    const paid = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 30 });
    const made = await refund(sandbox, paid, 'report-refund-2', { amount: 3 });
    const refundId = String(made.body.id);
    const untouched = sandbox.dashboardRefund(paid, 1);
    sandbox.setReportConfig({ separator: ',' });
    sandbox.configure({ reportRefundSign: 'positive' });
    sandbox.adjustReports({
      extraRows: [{ TRANSACTION_TYPE: 'REFUND', SOURCE_ID: '99999999999', TRANSACTION_AMOUNT: '7.00' }],
      drop: [{ transactionType: 'SETTLEMENT', sourceId: paid }],
      amounts: [{ match: { refundId }, amount: 2.5 }],
    });
    const { text } = await requestAndDownload();
    expect(text.startsWith('EXTERNAL_REFERENCE,SOURCE_ID,USER_ID,')).toBe(true);
    const rows = parseCsv(text, ',');
    expect(rows.filter((r) => r.SOURCE_ID === paid).map((r) => r.TRANSACTION_TYPE)).toEqual([
      'REFUND',
      'REFUND',
    ]);
    expect(rows.find((r) => r.SOURCE_ID === paid)!.TRANSACTION_AMOUNT).toBe('2.50');
    expect(rows.find((r) => r.METADATA === `[{"refund_id":"${untouched.id}"}]`)!.TRANSACTION_AMOUNT).toBe(
      '1.00',
    );
    expect(rows.at(-1)).toMatchObject({ SOURCE_ID: '99999999999', TRANSACTION_AMOUNT: '7.00', USER_ID: '' });
    // A partial refund's METADATA holds a comma-free JSON here, yet a quote: the field is quoted.
    expect(text).toContain(`"[{""refund_id"":""${refundId}""}]"`);
  });
});
