/**
 * Demo data for `npm start` and manual use. Ids are fixed, so README curl lines work after every start;
 * dates are relative to the sandbox's clock at start.
 */
import { decimalsOf, fromMinorUnits } from '../../functions/model/money.ts';
import type { SandboxContext } from './context.ts';
import { DAY_MS } from './dates.ts';
import { addClosedMerchantOrderFor } from './merchant-orders.ts';
import { addPayment, type CreatePaymentInput } from './payments.ts';

export interface DemoPayment {
  id: string;
  siteId: string;
  currency: string;
  amount: number;
  status: string;
  statusDetail: string;
  description: string;
}

interface DemoSpec {
  id: string;
  input: (now: number) => CreatePaymentInput;
  description: string;
}

const approvedDaysAgo = (now: number, days: number) => now - days * DAY_MS;

const SPECS: DemoSpec[] = [
  {
    id: '20000000001',
    input: (now) => ({
      status: 'approved',
      siteId: 'MLA',
      amount: 15000.5,
      dateApproved: approvedDaysAgo(now, 3),
    }),
    description: 'MLA card payment, approved: refund it',
  },
  {
    id: '20000000002',
    input: (now) => ({
      status: 'approved',
      siteId: 'MLB',
      amount: 250,
      dateApproved: approvedDaysAgo(now, 2),
    }),
    description: 'MLB card payment, approved: refund it (fully or partially)',
  },
  {
    id: '20000000003',
    input: (now) => ({
      status: 'approved',
      siteId: 'MLM',
      amount: 899.9,
      dateApproved: approvedDaysAgo(now, 5),
    }),
    description: 'MLM card payment, approved: refund it',
  },
  {
    id: '20000000004',
    input: (now) => ({
      status: 'approved',
      siteId: 'MLC',
      amount: 25990,
      dateApproved: approvedDaysAgo(now, 1),
    }),
    description: 'MLC card payment, approved (CLP: whole amounts only)',
  },
  {
    id: '20000000005',
    input: (now) => ({
      status: 'approved',
      siteId: 'MCO',
      amount: 120000,
      dateApproved: approvedDaysAgo(now, 1),
    }),
    description: 'MCO card payment, approved (COP: whole amounts only)',
  },
  {
    id: '20000000006',
    input: (now) => ({
      status: 'approved',
      siteId: 'MPE',
      amount: 180.5,
      dateApproved: approvedDaysAgo(now, 4),
    }),
    description: 'MPE card payment, approved: refund it',
  },
  {
    id: '20000000007',
    input: (now) => ({
      status: 'approved',
      siteId: 'MLU',
      amount: 1290,
      dateApproved: approvedDaysAgo(now, 6),
    }),
    description: 'MLU card payment, approved: refund it',
  },
  {
    id: '20000000011',
    input: (now) => ({
      status: 'pending',
      siteId: 'MLB',
      amount: 99.9,
      dateCreated: approvedDaysAgo(now, 2),
    }),
    description: 'MLB boleto, pending (waiting for payment): cancel it',
  },
  {
    id: '20000000012',
    input: (now) => ({
      status: 'in_process',
      siteId: 'MLB',
      amount: 150,
      dateCreated: approvedDaysAgo(now, 1),
      minimalAnswers: true,
    }),
    description: 'MLB card payment, in_process: cancel it (answers only id/status/status_detail)',
  },
  {
    id: '20000000013',
    input: (now) => ({
      status: 'authorized',
      siteId: 'MLB',
      amount: 300,
      dateCreated: approvedDaysAgo(now, 1),
    }),
    description: 'MLB card payment, authorized (pending capture): cancel it',
  },
  {
    id: '20000000014',
    input: (now) => ({
      status: 'rejected',
      statusDetail: 'cc_rejected_insufficient_amount',
      siteId: 'MLB',
      amount: 75,
      dateCreated: approvedDaysAgo(now, 3),
    }),
    description: 'MLB card payment, rejected: neither refundable nor cancellable',
  },
  {
    id: '20000000015',
    input: (now) => ({
      status: 'cancelled',
      siteId: 'MLB',
      amount: 60,
      dateCreated: approvedDaysAgo(now, 3),
    }),
    description: 'MLB payment, already cancelled (by_collector)',
  },
  {
    id: '20000000016',
    input: (now) => ({
      status: 'refunded',
      siteId: 'MLB',
      amount: 120,
      dateApproved: approvedDaysAgo(now, 10),
    }),
    description: 'MLB card payment, fully refunded (on the dashboard)',
  },
  {
    id: '20000000017',
    input: (now) => ({
      status: 'approved',
      siteId: 'MLB',
      amount: 500,
      dateApproved: approvedDaysAgo(now, 200),
    }),
    description: 'MLB card payment approved 200 days ago: outside the refund window',
  },
  {
    id: '20000000018',
    input: (now) => ({
      status: 'approved',
      siteId: 'MLB',
      amount: 100,
      dateApproved: approvedDaysAgo(now, 7),
      refunds: [30],
    }),
    description: 'MLB card payment, 30.00 of 100.00 refunded on the dashboard: partially_refunded',
  },
  {
    id: '20000000019',
    input: (now) => ({
      status: 'approved',
      siteId: 'MLB',
      amount: 45.9,
      dateApproved: approvedDaysAgo(now, 1),
      inPerson: 'qr',
      externalReference: 'demo-qr-order-1',
    }),
    description: 'MLB in-store QR payment, approved: refundable, never cancellable',
  },
  {
    id: '20000000020',
    input: (now) => ({
      status: 'approved',
      siteId: 'MLB',
      amount: 89,
      dateApproved: approvedDaysAgo(now, 1),
      inPerson: 'point',
    }),
    description: 'MLB Point (card reader) payment, approved: refundable, never cancellable',
  },
  {
    id: '20000000021',
    input: (now) => ({ status: 'pending', siteId: 'MLB', amount: 35, dateCreated: approvedDaysAgo(now, 40) }),
    description: 'MLB boleto created 40 days ago, never paid: reads cancelled/expired',
  },
];

export interface SeededPayment {
  id: string;
  description: string;
}

export const seedDemoData = (ctx: SandboxContext): SeededPayment[] => {
  const now = ctx.now();
  return SPECS.map((spec) => {
    const payment = addPayment(ctx, spec.input(now), spec.id);
    if (payment.inPerson === 'qr') addClosedMerchantOrderFor(ctx, payment);
    return { id: payment.id, description: spec.description };
  });
};

/** The demo payments as they are now (refunds and cancellations made since the start included). */
export const describeDemoPayments = (ctx: SandboxContext, seeded: SeededPayment[]): DemoPayment[] =>
  seeded.flatMap(({ id, description }) => {
    const payment = ctx.store.payments.get(id);
    if (!payment) return [];
    return [
      {
        id,
        siteId: payment.siteId,
        currency: payment.currency,
        amount: fromMinorUnits(payment.amountMinor, decimalsOf(payment.currency)),
        status: payment.status,
        statusDetail: payment.statusDetail,
        description,
      },
    ];
  });
