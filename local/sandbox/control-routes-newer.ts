/** The `/__sandbox` controls of Orders API orders, chargebacks and settlement reports (README.md). */
import { type ControlRoute, notFound, ok, parse } from './control-kit.ts';
import {
  deadlineBody,
  openChargebackBody,
  orderOptionsBody,
  orderStatusBody,
  payOrderBody,
  rejectOrderBody,
  reportAdjustmentsBody,
  reportConfigBody,
  resolveChargebackBody,
  settleOrderRefundBody,
} from './control-schemas-newer.ts';

const ORDER = '(ORD[A-Za-z0-9]+)';

export const NEWER_CONTROL_ROUTES: ControlRoute[] = [
  {
    method: 'GET',
    pattern: new RegExp(`^/__sandbox/orders/${ORDER}$`),
    summary: 'an Orders API order, whatever its age',
    run: (sandbox, { params }) => {
      const order = sandbox.getOrder(params[0]!);
      return order ? ok(order) : notFound('order');
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/__sandbox/orders/${ORDER}/pay$`),
    summary: 'the buyer pays the order {via?: static|dynamic}',
    run: (sandbox, { params, body }) => ok(sandbox.payOrder(params[0]!, parse(payOrderBody, body)), 201),
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/tills\/([A-Za-z0-9_-]{1,64})\/pay$/,
    summary: "the buyer pays on the till's static QR (its latest open static or hybrid order)",
    run: (sandbox, { params }) => ok(sandbox.payTillQr(params[0]!), 201),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/__sandbox/orders/${ORDER}/reject$`),
    summary: 'a payment attempt is rejected; the order stays open {statusDetail?}',
    run: (sandbox, { params, body }) =>
      ok(sandbox.rejectOrderPayment(params[0]!, parse(rejectOrderBody, body).statusDetail), 201),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/__sandbox/orders/${ORDER}/expire$`),
    summary: 'expire an open order now',
    run: (sandbox, { params }) => {
      sandbox.expireOrder(params[0]!);
      return ok(sandbox.getOrder(params[0]!));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/__sandbox/orders/${ORDER}/status$`),
    summary: 'force a status as POST /v1/orders/{id}/events does {status}',
    run: (sandbox, { params, body }) => {
      sandbox.forceOrderStatus(params[0]!, parse(orderStatusBody, body).status);
      return ok(sandbox.getOrder(params[0]!));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/__sandbox/orders/${ORDER}/chargeback$`),
    summary: 'charge back a paid order -> {chargebackId}',
    run: (sandbox, { params }) => ok({ chargebackId: sandbox.chargeBackOrder(params[0]!) }, 201),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/__sandbox/orders/${ORDER}/options$`),
    summary: 'per-order options {partialRefunds?: boolean|null, tips?: boolean, cashOut?: boolean}',
    run: (sandbox, { params, body }) => {
      sandbox.configureOrder(params[0]!, parse(orderOptionsBody, body));
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/order-refunds\/(REF[A-Za-z0-9]+)\/settle$/,
    summary: 'settle a processing order refund {status: processed|failed}',
    run: (sandbox, { params, body }) =>
      ok(sandbox.settleOrderRefund(params[0]!, parse(settleOrderRefundBody, body).status)),
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/payments\/(\d+)\/chargebacks$/,
    summary: 'open a chargeback on a payment {amount?, reason?, deadline?} -> {id}',
    run: (sandbox, { params, body }) =>
      ok({ id: sandbox.openChargeback(params[0]!, parse(openChargebackBody, body)) }, 201),
  },
  {
    method: 'GET',
    pattern: /^\/__sandbox\/chargebacks\/(\d+)$/,
    summary: 'a chargeback',
    run: (sandbox, { params }) => {
      const chargeback = sandbox.getChargeback(params[0]!);
      return chargeback ? ok(chargeback) : notFound('chargeback');
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/chargebacks\/(\d+)\/resolve$/,
    summary: 'decide a chargeback {outcome: won|lost}',
    run: (sandbox, { params, body }) =>
      ok(sandbox.resolveChargeback(params[0]!, parse(resolveChargebackBody, body).outcome)),
  },
  {
    method: 'PUT',
    pattern: /^\/__sandbox\/chargebacks\/(\d+)\/deadline$/,
    summary: 'set the documentation deadline {deadline: date|null}',
    run: (sandbox, { params, body }) =>
      ok(sandbox.setChargebackDeadline(params[0]!, parse(deadlineBody, body).deadline)),
  },
  {
    method: 'GET',
    pattern: /^\/__sandbox\/reports$/,
    summary: 'requested settlement reports, generated or not',
    run: (sandbox) => ok(sandbox.reports()),
  },
  {
    method: 'PUT',
    pattern: /^\/__sandbox\/reports\/config$/,
    summary: 'preset the settlement report configuration {config: {...}|null}',
    run: (sandbox, { body }) => ok(sandbox.setReportConfig(parse(reportConfigBody, body).config)),
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/reports\/hold$/,
    summary: 'hold requested reports back (never generated until released)',
    run: (sandbox) => {
      sandbox.holdReports();
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: /^\/__sandbox\/reports\/release$/,
    summary: 'stop holding and generate every pending report now',
    run: (sandbox) => {
      sandbox.releaseReports();
      return { status: 204 };
    },
  },
  {
    method: 'PUT',
    pattern: /^\/__sandbox\/reports\/adjustments$/,
    summary: 'rows to add, drop or change in reports {extraRows?, drop?, amounts?}',
    run: (sandbox, { body }) => {
      sandbox.adjustReports(parse(reportAdjustmentsBody, body));
      return { status: 204 };
    },
  },
];
