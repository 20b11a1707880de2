/**
 * The control API over HTTP under `/__sandbox` (no token, never faulted, not in `requests()`): the same
 * operations as the in-process `Sandbox` object, for the local server and manual use (README.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ControlRoute, notFound, ok, parse } from './control-kit.ts';
import { NEWER_CONTROL_ROUTES } from './control-routes-newer.ts';
import {
  balanceBody,
  createPaymentBody,
  dashboardRefundBody,
  faultBody,
  notificationBody,
  paymentStatusBody,
  refuseBody,
  settingsBody,
  settleRefundBody,
} from './control-schemas.ts';
import { type Answer, parseJson, writeAnswer } from './http-io.ts';
import { MpHttpError, SandboxControlError } from './mp-errors.ts';
import { OrdersHttpError } from './order-errors.ts';
import type { Sandbox } from './sandbox-api.ts';

const ROUTES: ControlRoute[] = [
  {
    method: 'GET',
    pattern: /^\/__sandbox\/?$/,
    summary: 'this list',
    run: () => ok(ROUTES.map((r) => `${r.method} ${r.pattern.source.replace(/\\\//g, '/')}: ${r.summary}`)),
  },
  {
    method: 'GET',
    pattern: /^\/__sandbox\/demo$/,
    summary: 'the seeded demo payments',
    run: (sandbox) => ok(sandbox.demoPayments()),
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/payments$/,
    summary: 'create a payment {status, amount, currency|siteId, ...}',
    run: (sandbox, { body }) => ok({ id: sandbox.createPayment(parse(createPaymentBody, body)) }, 201),
  },
  {
    method: 'GET',
    pattern: /^\/__sandbox\/payments\/(\d+)$/,
    summary: 'a payment, whoever its collector',
    run: (sandbox, { params }) => {
      const payment = sandbox.getPayment(params[0]!);
      return payment ? ok(payment) : notFound('payment');
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/payments\/(\d+)\/status$/,
    summary: 'set a payment status {status, statusDetail?}',
    run: (sandbox, { params, body }) => {
      const input = parse(paymentStatusBody, body);
      sandbox.setPaymentStatus(params[0]!, input.status, input.statusDetail);
      return ok(sandbox.getPayment(params[0]!));
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/payments\/(\d+)\/dashboard-refund$/,
    summary: 'refund outside the project {amount?}',
    run: (sandbox, { params, body }) =>
      ok(sandbox.dashboardRefund(params[0]!, parse(dashboardRefundBody, body).amount), 201),
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/refunds\/(\d+)\/settle$/,
    summary: 'settle an in_process refund {status: approved|rejected|cancelled}',
    run: (sandbox, { params, body }) =>
      ok(sandbox.settleRefund(params[0]!, parse(settleRefundBody, body).status)),
  },
  {
    method: 'PUT',
    pattern: /^\/__sandbox\/balance$/,
    summary: 'seller balance {amount: number|null, currency?, language?: en|es|pt}',
    run: (sandbox, { body }) => {
      const input = parse(balanceBody, body);
      sandbox.setBalance(input.amount, { currency: input.currency, language: input.language });
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: /^\/__sandbox\/merchant-orders\/(\d+)$/,
    summary: 'a merchant order',
    run: (sandbox, { params }) => {
      const order = sandbox.getMerchantOrder(params[0]!);
      return order ? ok(order) : notFound('merchant order');
    },
  },
  {
    method: 'GET',
    pattern: /^\/__sandbox\/qr\/([A-Za-z0-9_-]{1,64})$/,
    summary: "a till's current QR order",
    run: (sandbox, { params }) => {
      const order = sandbox.qrOrderOf(params[0]!);
      return order ? ok(order) : notFound('QR order');
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/qr\/([A-Za-z0-9_-]{1,64})\/pay$/,
    summary: "the buyer pays the till's order",
    run: (sandbox, { params }) => ok(sandbox.payQrOrder(params[0]!), 201),
  },
  {
    method: 'GET',
    pattern: /^\/__sandbox\/requests$/,
    summary: 'requests received (?method=&path=<regex>)',
    run: (sandbox, { url }) =>
      ok(
        sandbox.requests({
          method: url.searchParams.get('method') ?? undefined,
          path: url.searchParams.get('path') ?? undefined,
        }),
      ),
  },
  {
    method: 'DELETE',
    pattern: /^\/__sandbox\/requests$/,
    summary: 'forget the requests received',
    run: (sandbox) => {
      sandbox.clearRequests();
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: /^\/__sandbox\/faults$/,
    summary: 'armed faults',
    run: (sandbox) => ok(sandbox.armedFaults()),
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/faults$/,
    summary: 'arm a fault {kind: latency|status|drop|loseAnswer|refundStatus, method?, path?, times?, ...}',
    run: (sandbox, { body }) => {
      const fault = parse(faultBody, body);
      if (fault.kind === 'refundStatus') {
        sandbox.refundStatus(fault.status, fault.times);
        return ok(sandbox.armedFaults(), 201);
      }
      const match = { method: fault.method, path: fault.path, times: fault.times };
      if (fault.kind === 'latency') sandbox.latency(fault.ms, match);
      else if (fault.kind === 'status')
        sandbox.status(fault.status, { ...match, body: fault.body, headers: fault.headers });
      else if (fault.kind === 'drop') sandbox.drop(match);
      else sandbox.loseAnswer(match);
      return ok(sandbox.armedFaults(), 201);
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/faults\/refuse$/,
    summary: 'refuse connections {forMs} (the controls too, until it ends)',
    run: async (sandbox, { body }) => {
      const { forMs } = parse(refuseBody, body);
      // Answer first: refusing closes this very connection.
      setImmediate(() => void sandbox.refuse({ forMs }));
      return { status: 202, body: { refusingForMs: forMs } };
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/__sandbox\/faults$/,
    summary: 'disarm every fault',
    run: async (sandbox) => {
      await sandbox.resetFaults();
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/notifications$/,
    summary:
      'send a notification {kind: signed|unsigned|forged|stale|ipn, paymentId, duplicate?}, {kind: merchant_order, merchantOrderId}, {kind: order, orderId, action?, signing?}, {kind: chargeback|chargeback_ipn, chargebackId}',
    run: async (sandbox, { body }) => ok(await sandbox.sendNotification(parse(notificationBody, body))),
  },
  {
    method: 'GET',
    pattern: /^\/__sandbox\/notifications$/,
    summary: 'notification deliveries so far',
    run: (sandbox) => ok(sandbox.notifications()),
  },
  {
    method: 'PUT',
    pattern: /^\/__sandbox\/settings$/,
    summary:
      'settings {refundWindowDays?, refundWindowDaysBySite?, qrOrderGetForm?, siteId?, notificationUrl?, notificationsEnabled?, order*, chargeback*, report* (README)}',
    run: (sandbox, { body }) => {
      sandbox.configure(parse(settingsBody, body));
      return { status: 204 };
    },
  },
  ...NEWER_CONTROL_ROUTES,
];

export const createControlHandler =
  (sandbox: Sandbox) =>
  async (req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const candidates = ROUTES.map((route) => ({ route, match: route.pattern.exec(url.pathname) })).filter(
      (c) => c.match !== null,
    );
    const found = candidates.find((c) => c.route.method === method);
    if (!found) {
      writeAnswer(res, { status: candidates.length > 0 ? 405 : 404, body: { error: 'no such control' } });
      return;
    }
    const parsed = parseJson(rawBody);
    if (!parsed.ok) {
      writeAnswer(res, { status: 400, body: { error: 'body is not JSON' } });
      return;
    }
    let answer: Answer;
    try {
      answer = await found.route.run(sandbox, { params: found.match!.slice(1), body: parsed.value, url });
    } catch (error) {
      if (error instanceof MpHttpError || error instanceof OrdersHttpError)
        answer = { status: error.status, body: error.body };
      else if (error instanceof SandboxControlError) answer = { status: 400, body: { error: error.message } };
      else answer = { status: 500, body: { error: error instanceof Error ? error.message : String(error) } };
    }
    writeAnswer(res, answer);
  };
