/**
 * POST /webhooks/mercadopago (API.md): classify by shape, verify webhooks' signatures (`payment` and the
 * Orders API's `order`), drop duplicates and rate-limit hints, then hand the work on and answer at once. Nothing is read or written for a webhook
 * whose signature is not valid; what answers 200 was either done, queued, a duplicate, or not ours.
 */
import { TIMING } from '../config/timing.ts';
import { ProblemError } from '../http/problems.ts';
import type { HttpRequest, HttpResponse } from '../http/types.ts';
import { sha256Hex } from '../model/ids.ts';
import { parseJsonKeepingBigIntegers } from '../model/json.ts';
import { isOrderId, normalizeOrderId } from '../model/order.ts';
import { MetricName, putMetric } from '../observability/metrics.ts';
import type { NotificationWork } from '../operations/notification-work.ts';
import { RESOURCE_ID } from '../operations/notification-work.ts';
import {
  CHARGEBACK_TOPICS,
  classifyNotification,
  type HintShape,
  type ReportNoticeShape,
  type WebhookShape,
} from './classify.ts';
import type { WebhookDeps } from './deps.ts';
import type { Dispatch } from './dispatch.ts';
import { verifySignature } from './signature.ts';

/** Mercado Pago waits 22 s; work done inline gets at most this much of it (config/timing.ts). */
export const INLINE_BUDGET_MS = TIMING.webhookInlineBudgetMs;
/** A claim left by a run that died is free again after this (Mercado Pago retries 15 minutes later). */
const CLAIM_LEASE_MS = TIMING.webhookClaimLeaseMs;

export type WebhookOutcome = 'processed' | 'queued' | 'duplicate' | 'ignored' | 'rate_limited';

const answer = (status: WebhookOutcome): HttpResponse => ({ status: 200, body: { status } });

/** The body, with ids beyond 2^53 (chargeback cases, sent as bare numbers) kept digit for digit. */
const bodyOf = (req: HttpRequest): unknown => {
  if (req.rawBody === undefined || req.body === undefined) return req.body;
  try {
    return parseJsonKeepingBigIntegers(req.rawBody);
  } catch {
    return req.body;
  }
};

export const receiveNotification = async (deps: WebhookDeps, req: HttpRequest): Promise<HttpResponse> => {
  const shape = classifyNotification(req.query, bodyOf(req));
  if (shape.kind === 'invalid') {
    throw new ProblemError('VALIDATION_ERROR', shape.detail, {
      errors: [{ field: 'query', message: 'needs data.id and type, or topic and id' }],
    });
  }
  if (shape.kind === 'report') return receiveReportNotice(deps, req, shape);
  return shape.kind === 'webhook' ? receiveWebhook(deps, req, shape) : receiveHint(deps, req, shape);
};

/**
 * A report-ready notice: unsigned, so only a hint (at most one per 10 seconds) that wakes the reports job,
 * which lists the reports with its own token and downloads only from Mercado Pago's API (API.md).
 */
const receiveReportNotice = async (
  deps: WebhookDeps,
  req: HttpRequest,
  shape: ReportNoticeShape,
): Promise<HttpResponse> => {
  const log = req.log.child({ notice: 'report', transactionId: shape.transactionId?.slice(0, 64) });
  if (deps.wakeReports === undefined) {
    log.info('report notice acknowledged: the reports job runs on its schedule');
    return answer('ignored');
  }
  if (!(await deps.hints.tryAcquire('report', 'settlement', deps.clock.now()))) {
    log.info('report notice within the window of the last one: acknowledged');
    return answer('rate_limited');
  }
  await deps.wakeReports({ log, deadline: Math.min(req.deadline, deps.clock.now() + INLINE_BUDGET_MS) });
  log.info('report notice: reports job woken');
  return answer('queued');
};

const receiveWebhook = async (
  deps: WebhookDeps,
  req: HttpRequest,
  shape: WebhookShape,
): Promise<HttpResponse> => {
  const nowMs = deps.clock.now();
  const mpRequestId = req.headers['x-request-id'];
  const check = verifySignature({
    secrets: await deps.secrets(),
    dataId: shape.dataId,
    bodyDataId: shape.bodyDataId,
    requestId: mpRequestId,
    signature: req.headers['x-signature'],
    nowMs,
    toleranceSeconds: deps.toleranceSeconds,
  });
  if (!check.ok) {
    putMetric(MetricName.NotificationRejected);
    const log = check.reason === 'no_secret_configured' ? req.log.error : req.log.warn;
    log('notification refused: signature not valid', { reason: check.reason, type: shape.type.slice(0, 64) });
    throw new ProblemError(
      'INVALID_SIGNATURE',
      'The notification signature is missing, not valid, or too old.',
    );
  }
  putMetric(MetricName.NotificationReceived);
  const log = req.log.child({
    type: shape.type.slice(0, 64),
    dataId: shape.dataId.slice(0, 64),
    action: shape.action,
  });

  if (deps.userId !== undefined && shape.userId !== undefined && shape.userId !== deps.userId) {
    log.warn('notification for another seller ignored', { userId: shape.userId });
    return answer('ignored');
  }
  const resource = webhookResource(shape);
  if (resource === undefined) {
    log.info('notification type not handled: acknowledged');
    return answer('ignored');
  }

  // One key per notification, taken with one conditional write (adapters/dynamodb/dedupe-store.ts): its own
  // id, the same on every delivery and retry of it; an `order` webhook carries none, so the order, the action
  // and its data.version name the change (the same on every delivery of it, whatever their x-request-id or the
  // id's casing); else the delivery's x-request-id.
  const key =
    shape.notificationId !== undefined
      ? `event:${sha256Hex(JSON.stringify([shape.type, shape.notificationId, shape.action ?? null]))}`
      : resource.resource === 'order' && shape.version !== undefined
        ? `event:${sha256Hex(JSON.stringify([shape.type, resource.id, shape.action ?? null, shape.version]))}`
        : mpRequestId
          ? `request:${sha256Hex(mpRequestId)}`
          : undefined;
  const owner = `${req.requestId}:${deps.newId('claim')}`;
  if (key !== undefined && !(await deps.dedupe.claim(key, owner, nowMs, CLAIM_LEASE_MS))) {
    putMetric(MetricName.NotificationDuplicate);
    log.info('duplicate notification: acknowledged');
    return answer('duplicate');
  }

  const work: NotificationWork = {
    ...resource,
    via: 'webhook',
    receivedAt: new Date(nowMs).toISOString(),
    requestId: mpRequestId?.slice(0, 256) || undefined,
  };
  let outcome: Awaited<ReturnType<Dispatch>>;
  try {
    outcome = await deps.dispatch(work, { log, deadline: Math.min(req.deadline, nowMs + INLINE_BUDGET_MS) });
  } catch (error) {
    // Freed: Mercado Pago's retry of this notification is processed.
    if (key !== undefined) await deps.dedupe.release(key, owner).catch(() => undefined);
    throw error;
  }
  return answer(outcome === 'queued' ? 'queued' : 'processed');
};

/** What a signed webhook names: a payment, or an Orders API order (either case, read upper case). */
const webhookResource = (
  shape: WebhookShape,
): Pick<NotificationWork, 'resource' | 'id' | 'version'> | undefined => {
  if (shape.type === 'payment' && RESOURCE_ID.test(shape.dataId))
    return { resource: 'payment', id: shape.dataId };
  if (CHARGEBACK_TOPICS.has(shape.type) && RESOURCE_ID.test(shape.dataId))
    return { resource: 'chargeback', id: shape.dataId };
  if (shape.type === 'order' && isOrderId(shape.dataId))
    return { resource: 'order', id: normalizeOrderId(shape.dataId), version: shape.version };
  return undefined;
};

const receiveHint = async (deps: WebhookDeps, req: HttpRequest, shape: HintShape): Promise<HttpResponse> => {
  const log = req.log.child({ topic: shape.topic.slice(0, 64), resourceId: shape.resourceId.slice(0, 64) });
  const resource: NotificationWork['resource'] | undefined =
    shape.topic === 'payment' || shape.topic === 'merchant_order'
      ? shape.topic
      : CHARGEBACK_TOPICS.has(shape.topic)
        ? 'chargeback'
        : undefined;
  if (resource === undefined || !RESOURCE_ID.test(shape.resourceId)) {
    log.info('notice not handled: acknowledged');
    return answer('ignored');
  }
  putMetric(MetricName.NotificationReceived);
  const nowMs = deps.clock.now();
  if (!(await deps.hints.tryAcquire(resource, shape.resourceId, nowMs))) {
    log.info('notice within the re-read window of its resource: acknowledged, not re-read');
    return answer('rate_limited');
  }
  const mpRequestId = req.headers['x-request-id'];
  const work: NotificationWork = {
    resource,
    id: shape.resourceId,
    via: 'hint',
    receivedAt: new Date(nowMs).toISOString(),
    requestId: mpRequestId?.slice(0, 256) || undefined,
  };
  const outcome = await deps.dispatch(work, {
    log,
    deadline: Math.min(req.deadline, nowMs + INLINE_BUDGET_MS),
  });
  return answer(outcome === 'queued' ? 'queued' : 'processed');
};
