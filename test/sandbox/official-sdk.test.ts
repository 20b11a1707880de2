/**
 * The official Node SDK (`mercadopago` 2.x) against the sandbox, for every endpoint both cover: payments
 * (get, cancel), refunds (create, total, list, get), Orders (create, get, search, cancel, refund) and the
 * SDK's webhook signature validator on the sandbox's deliveries. The SDK has no chargeback or report client.
 * Each call gets a fresh config object: the SDK keeps a per-call idempotency key on the config it was given
 * and would send it again on later calls (sdk-nodejs issue 481).
 * The SDK has no base URL option: its AppConfig.BASE_URL is pointed at the sandbox for this test file.
 */
import { MercadoPagoConfig, Order, Payment, PaymentRefund, WebhookSignatureValidator } from 'mercadopago';
import { AppConfig } from 'mercadopago/dist/utils/config/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { type Receiver, startReceiver } from './receiver.ts';

type OrderBody = Parameters<Order['create']>[0]['body'];

let sandbox: Sandbox;
let receiver: Receiver;
const SECRET = 'sdk-webhook-secret';
const config = () => new MercadoPagoConfig({ accessToken: sandbox.accessToken, options: { timeout: 5000 } });

/** What the SDK throws for a non-2xx answer: the parsed error body. */
const refusal = async (promise: Promise<unknown>): Promise<Record<string, unknown>> => {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the SDK call to be refused');
};

const qrOrderBody = (reference: string, amount = '60.00'): OrderBody => ({
  type: 'qr',
  external_reference: reference,
  total_amount: amount,
  description: 'SDK order',
  expiration_time: 'PT20M',
  transactions: { payments: [{ amount }] },
  // The SDK's types have no `config.qr` (they describe online orders); the API takes it.
  config: { qr: { external_pos_id: 'SDKPOS', mode: 'dynamic' } } as unknown as OrderBody['config'],
  items: [{ title: 'Item', unit_price: amount, quantity: 1 }],
});

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({
    seedDemoData: false,
    webhookSecret: SECRET,
    notificationUrl: receiver.url,
    orderRefundDelayMs: null,
  });
  // Declared read-only in the SDK's types; a static field at run time.
  expect(Reflect.set(AppConfig, 'BASE_URL', sandbox.url)).toBe(true);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

describe('payments and refunds through the SDK', () => {
  it('reads a payment', async () => {
    const id = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 120.5 });
    const payment = await new Payment(config()).get({ id });
    expect(payment).toMatchObject({
      id: Number(id),
      status: 'approved',
      transaction_amount: 120.5,
      currency_id: 'BRL',
    });
    expect(payment.api_response.status).toBe(200);
  });

  it('creates a refund; the same idempotency key gives the same refund, not a second one', async () => {
    const id = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 100 });
    const first = await new PaymentRefund(config()).create({
      payment_id: id,
      body: { amount: 10 },
      requestOptions: { idempotencyKey: 'sdk-refund-1' },
    });
    const again = await new PaymentRefund(config()).create({
      payment_id: id,
      body: { amount: 10 },
      requestOptions: { idempotencyKey: 'sdk-refund-1' },
    });
    expect(first).toMatchObject({ payment_id: Number(id), amount: 10, status: 'approved' });
    expect(again.id).toBe(first.id);
    expect(sandbox.refundsOf(id)).toHaveLength(1);
    const other = await refusal(
      new PaymentRefund(config()).create({
        payment_id: id,
        body: { amount: 11 },
        requestOptions: { idempotencyKey: 'sdk-refund-1' },
      }),
    );
    expect(other.status).toBe(409);
  });

  it('lists refunds (GET .../refunds/ with a trailing slash) and reads one; refunds the rest with total', async () => {
    const id = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 50 });
    const made = await new PaymentRefund(config()).create({ payment_id: id, body: { amount: 5 } });
    const list = await new PaymentRefund(config()).list({ payment_id: id });
    expect(list.map((r) => r.id)).toEqual([made.id]);
    const one = await new PaymentRefund(config()).get({ payment_id: id, refund_id: String(made.id) });
    expect(one).toMatchObject({ id: made.id, amount: 5 });
    const rest = await new PaymentRefund(config()).total({ payment_id: id });
    expect(rest.amount).toBe(45);
    expect(sandbox.getPayment(id)).toMatchObject({ status: 'refunded' });
  });

  it('cancels a pending payment', async () => {
    const id = sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 30 });
    const cancelled = await new Payment(config()).cancel({ id });
    expect(cancelled).toMatchObject({ id: Number(id), status: 'cancelled', status_detail: 'by_collector' });
  });

  it('surfaces the refusals as Mercado Pago error bodies', async () => {
    const rejected = sandbox.createPayment({ status: 'rejected', siteId: 'MLB', amount: 30 });
    const notRefundable = await refusal(
      new PaymentRefund(config()).create({ payment_id: rejected, body: {} }),
    );
    expect(notRefundable).toMatchObject({ status: 400, cause: [{ code: 2063 }] });
    const approved = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 30 });
    const notCancellable = await refusal(new Payment(config()).cancel({ id: approved }));
    expect(notCancellable).toMatchObject({ status: 400, cause: [{ code: 2018 }] });
    const missing = await refusal(new Payment(config()).get({ id: '1' }));
    expect(missing).toMatchObject({ status: 404, cause: [{ code: 2000 }] });
    const tooMuch = await refusal(
      new PaymentRefund(config()).create({ payment_id: approved, body: { amount: 31 } }),
    );
    expect(tooMuch.status).toBe(400);
    const badToken = await refusal(
      new Payment(new MercadoPagoConfig({ accessToken: 'TEST-wrong' })).get({ id: approved }),
    );
    expect(badToken.status).toBe(401);
  });
});

describe('Orders through the SDK', () => {
  it('creates, reads and searches a QR order', async () => {
    const created = await new Order(config()).create({
      body: qrOrderBody('sdk-order-1'),
      requestOptions: { idempotencyKey: 'sdk-order-key-1' },
    });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^ORD[0-9A-Z]{26}$/),
      status: 'created',
      total_amount: '60.00',
      expiration_time: 'PT20M',
      type_response: { qr_data: expect.stringMatching(/^0002/) },
    });
    expect(created.api_response.status).toBe(201);
    const replay = await new Order(config()).create({
      body: qrOrderBody('sdk-order-1'),
      requestOptions: { idempotencyKey: 'sdk-order-key-1' },
    });
    expect(replay.id).toBe(created.id);
    const read = await new Order(config()).get({ id: created.id! });
    expect(read).toMatchObject({ id: created.id, external_reference: 'sdk-order-1', status: 'created' });
    const found = await new Order(config()).search({
      options: {
        begin_date: new Date(Date.now() - 60_000).toISOString(),
        end_date: new Date(Date.now() + 60_000).toISOString(),
        external_reference: 'sdk-order-1',
      },
    });
    expect(found.data?.map((o) => o.id)).toEqual([created.id]);
  });

  it('cancels a created order and refuses to cancel it twice', async () => {
    const created = await new Order(config()).create({ body: qrOrderBody('sdk-order-2') });
    const cancelled = await new Order(config()).cancel({ id: created.id! });
    expect(cancelled).toMatchObject({ status: 'canceled', status_detail: 'canceled' });
    const again = await refusal(new Order(config()).cancel({ id: created.id! }));
    expect(again).toMatchObject({ errors: [{ code: 'invalid_order_status' }] });
  });

  it('refunds a paid order partly, then totally; refusals carry the Orders error codes', async () => {
    const created = await new Order(config()).create({ body: qrOrderBody('sdk-order-3', '100.00') });
    const unpaid = await refusal(new Order(config()).refund({ id: created.id! }));
    expect(unpaid).toMatchObject({ errors: [{ code: 'invalid_order_status' }] });
    sandbox.payOrder(created.id!);
    const transactionId = created.transactions!.payments![0]!.id!;
    const part = await new Order(config()).refund({
      id: created.id!,
      body: { transactions: [{ id: transactionId, amount: '25.00' }] },
    });
    const partRefund = part.transactions!.refunds![0]!;
    expect(partRefund).toMatchObject({
      transaction_id: transactionId,
      amount: '25.00',
      status: 'processing',
    });
    const busy = await refusal(new Order(config()).refund({ id: created.id! }));
    expect(busy).toMatchObject({ errors: [{ code: 'refund_in_progress' }] });
    sandbox.settleOrderRefund(partRefund.id!, 'processed');
    const exceeds = await refusal(
      new Order(config()).refund({
        id: created.id!,
        body: { transactions: [{ id: transactionId, amount: '80.00' }] },
      }),
    );
    expect(exceeds).toMatchObject({ errors: [{ code: 'refund_amount_exceeds' }] });
    const rest = await new Order(config()).refund({ id: created.id! });
    expect(rest.transactions!.refunds![0]).toMatchObject({ amount: '75.00' });
    sandbox.settleOrderRefund(rest.transactions!.refunds![0]!.id!, 'processed');
    const refunded = await new Order(config()).get({ id: created.id! });
    expect(refunded).toMatchObject({ status: 'refunded', status_detail: 'refunded' });
    expect(refunded.transactions!.refunds!.map((r) => r.amount)).toEqual(['25.00', '75.00']);
    const missing = await refusal(new Order(config()).get({ id: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3' }));
    expect(missing).toMatchObject({ errors: [{ code: 'order_not_found' }] });
  });
});

describe("the SDK's webhook signature validator on the sandbox's deliveries", () => {
  it('accepts payment webhooks, and order webhooks when the lower-cased id is signed (as it checks)', async () => {
    const id = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 10 });
    const [payment] = await sandbox.sendNotification({ kind: 'signed', paymentId: id });
    const validate = (headers: Record<string, string>, dataId: string) =>
      WebhookSignatureValidator.validate({
        xSignature: headers['x-signature'],
        xRequestId: headers['x-request-id'],
        dataId,
        secret: SECRET,
      });
    expect(() => validate(payment!.headers, id)).not.toThrow();

    const created = await new Order(config()).create({ body: qrOrderBody('sdk-order-4') });
    sandbox.configure({ orderWebhookSigning: 'lowercase' });
    const [lower] = await sandbox.sendNotification({
      kind: 'order',
      orderId: created.id!,
      action: 'order.processed',
    });
    expect(() => validate(lower!.headers, created.id!)).not.toThrow();
    sandbox.configure({ orderWebhookSigning: 'raw' });
    const [raw] = await sandbox.sendNotification({
      kind: 'order',
      orderId: created.id!,
      action: 'order.processed',
    });
    expect(() => validate(raw!.headers, created.id!)).toThrow(/SignatureMismatch|signature/i);
  });
});
