/**
 * What is measured: each function of FUNCTION_ENTRIES with the request it serves, and for the four HTTP
 * functions the bare handler of bench/baseline/ that makes the same calls.
 */
import { randomUUID } from 'node:crypto';
import { FUNCTION_ENTRIES } from '../functions/routes.ts';
import { FUNCTION_SPECS } from '../infra/constructs/service-functions.ts';
import { toApiGatewayEvent } from '../local/api-gateway-event.ts';
import type { Sandbox } from '../local/sandbox/index.ts';
import type { Invocation } from './child/protocol.ts';

/**
 * project: the function as deployed; baseline: the bare handler making the same calls (bench/baseline/);
 * peer: the refund as a user would assemble it (bench/peer/); probe: one round trip (bench/baseline/round-trip.ts).
 */
export type Variant = 'project' | 'baseline' | 'peer' | 'probe';

import { cancellations, notifications, qrOrders, refunds } from './operations.ts';

export type FunctionId = keyof typeof FUNCTION_ENTRIES;

export interface Subject {
  id: FunctionId;
  entry: string;
  /** The bare handler making the same calls; none for the SQS and scheduled functions. */
  baselineEntry: string | undefined;
  /** The same job assembled as a user would (official SDK, Powertools, middy): the refund only. */
  peerEntry?: string;
  /** One round trip of each kind, to price them: beside the refund only. */
  probeEntry?: string;
  /** `count` invocations, each on new state. */
  invocations(sandbox: Sandbox, count: number): Invocation[];
}

/** One SQS message of the webhook's queue, as the processor receives it. */
const queuedNotifications = (sandbox: Sandbox, count: number): Invocation[] =>
  Array.from({ length: count }, () => {
    const paymentId = sandbox.createPayment({ status: 'approved', currency: 'BRL', amount: 100 });
    sandbox.dashboardRefund(paymentId, 30);
    const body = JSON.stringify({
      resource: 'payment',
      id: paymentId,
      via: 'webhook',
      receivedAt: new Date().toISOString(),
    });
    const record = {
      messageId: randomUUID(),
      receiptHandle: 'bench',
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:notifications',
      awsRegion: 'us-east-1',
    };
    return {
      label: `queued notification of ${paymentId}`,
      event: { Records: [record] },
      expect: { bodyIncludes: '"batchItemFailures":[]' },
    };
  });

/** The schedule's event; with nothing pending, a run is one query of each due-index shard. */
export const scheduledRuns = (_sandbox: Sandbox, count: number): Invocation[] =>
  Array.from({ length: count }, () => ({
    label: 'scheduled reconciliation',
    event: {
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      detail: {},
      time: new Date().toISOString(),
    },
    expect: {},
  }));

/** A request matching no route (API Gateway's `$default`); answered 404 problem+json. */
const unknownRoutes = (_sandbox: Sandbox, count: number): Invocation[] =>
  Array.from({ length: count }, () => {
    const event = toApiGatewayEvent(
      {
        method: 'GET',
        url: '/no-such-route',
        rawHeaders: ['host', 'api.bench.example.com', 'user-agent', 'bench'],
        body: Buffer.alloc(0),
        sourceIp: '203.0.113.10',
        protocol: 'HTTP/1.1',
      },
      undefined,
    );
    return { label: 'unknown route', event, expect: { status: 404 } };
  });

/** The bundles a subject has, by variant. */
export const variantEntries = (subject: Subject): [Variant, string][] => [
  ['project', subject.entry],
  ...(subject.baselineEntry === undefined ? [] : [['baseline', subject.baselineEntry] as [Variant, string]]),
  ...(subject.peerEntry === undefined ? [] : [['peer', subject.peerEntry] as [Variant, string]]),
  ...(subject.probeEntry === undefined ? [] : [['probe', subject.probeEntry] as [Variant, string]]),
];

/** The Lambda timeout the stack gives the function: what the context counts down from. */
export const timeoutMsOf = (id: FunctionId): number => FUNCTION_SPECS[id].timeout.toMilliseconds();

export const SUBJECTS: readonly Subject[] = [
  {
    id: 'refunds',
    entry: FUNCTION_ENTRIES.refunds,
    baselineEntry: 'bench/baseline/refund.ts',
    peerEntry: 'bench/peer/refund.ts',
    probeEntry: 'bench/baseline/round-trip.ts',
    invocations: refunds,
  },
  {
    id: 'cancellation',
    entry: FUNCTION_ENTRIES.cancellation,
    baselineEntry: 'bench/baseline/cancellation.ts',
    invocations: cancellations,
  },
  {
    id: 'qr-orders',
    entry: FUNCTION_ENTRIES['qr-orders'],
    baselineEntry: 'bench/baseline/qr-order.ts',
    invocations: (_sandbox, count) => qrOrders(count),
  },
  {
    id: 'webhook',
    entry: FUNCTION_ENTRIES.webhook,
    baselineEntry: 'bench/baseline/webhook.ts',
    invocations: notifications,
  },
  {
    id: 'notification-processor',
    entry: FUNCTION_ENTRIES['notification-processor'],
    baselineEntry: undefined,
    invocations: queuedNotifications,
  },
  {
    id: 'reconcile',
    entry: FUNCTION_ENTRIES.reconcile,
    baselineEntry: undefined,
    invocations: scheduledRuns,
  },
  {
    id: 'not-found',
    entry: FUNCTION_ENTRIES['not-found'],
    baselineEntry: undefined,
    invocations: unknownRoutes,
  },
];
