/**
 * The till routes with QR_API=orders (API.md "QR orders through Mercado Pago's Orders API"): the same paths
 * and bodies, served by the Orders API. Orders has no "current order of a till" read, so the till record
 * (model/till.ts) keeps the till's latest order; each order this service creates gets a ledger (its refunds,
 * its status: QR Order Paid / Expired and Order Cancelled come from it, and reconciliation re-reads it while
 * it is open).
 *
 * - PUT: a till holds one open order. The same body as the current order (or the one being created) answers
 *   it, creating it with the same Mercado Pago key when its first attempt's outcome was unknown; another body
 *   cancels the open one first (a paid one is left as it is; a cancellation whose outcome is unknown stops the
 *   PUT with 503 and nothing created), then creates the new one with a new key.
 * - GET: the till's order, re-read (its news applied to its ledger); a cancelled one is none.
 * - DELETE: cancels it (`POST /v1/orders/{id}/cancel`); 404 when none or expired, 409 QR_ORDER_ALREADY_PAID.
 */

import { lockUntil } from '../config/timing.ts';
import { keyedResponse } from '../http/keyed-response.ts';
import { ProblemError } from '../http/problems.ts';
import type { HttpResponse } from '../http/types.ts';
import { type Actor, caller, MERCADOPAGO } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { sha256Hex } from '../model/ids.ts';
import { must } from '../model/invariant.ts';
import { decimalsOf, SITE_CURRENCY, toDecimalString, toMinorUnits } from '../model/money.ts';
import { isoDuration, normalizeOrderId, type TillOrderStatus, tillStatusOf } from '../model/order.ts';
import {
  isCreateInFlight,
  type QrOrderRequest,
  resumeTillOrder,
  startTillOrder,
  type TillOrder,
  type TillRecord,
  tillOrderCreated,
  tillOrderDropped,
  tillOrderKey,
  tillOrderUnknown,
} from '../model/till.ts';
import type { Logger } from '../observability/logger.ts';
import { cancelOrder } from '../operations/cancel-order.ts';
import { classifyWriteFailure } from '../operations/classify-write.ts';
import { withIdempotencyKey } from '../operations/keyed-request.ts';
import { applyOrderReadTo, readOrder } from '../operations/sync-order.ts';
import type { MpOrder } from '../ports/mercadopago.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import type { TillOrderDeps } from './deps.ts';
import type { QrOrderView } from './order-view.ts';
import { orderAmountProblems } from './qr-order-rules.ts';
import { DEFAULT_TTL_SECONDS, type PutQrOrderBody } from './schemas.ts';

export const PUT_TILL_ORDER_ROUTE = 'PUT /pos/{externalPosId}/order';

/** Orders' `description` is at most 150 characters. */
const MAX_DESCRIPTION = 150;
/** Rounds of read-decide-write a PUT makes when the till changes under it, before answering busy. */
const MAX_ROUNDS = 4;

interface CallInput {
  externalPosId: string;
  caller: string;
  requestId: string;
  deadline: number;
  log: Logger;
}

const none = (externalPosId: string) =>
  new ProblemError('QR_ORDER_NOT_FOUND', `Till ${externalPosId} has no order.`);

const busy = (externalPosId: string) =>
  new ProblemError('REFUND_IN_PROGRESS', `An order is being put on till ${externalPosId}; retry shortly.`, {
    headers: { 'retry-after': '1' },
  });

const unknownOutcome = (externalPosId: string, retryAfterSeconds = 5) =>
  new ProblemError(
    'UPSTREAM_UNAVAILABLE',
    `Mercado Pago did not say whether the order of till ${externalPosId} was created: repeat the same PUT, it completes that order (never a second one).`,
    { headers: { 'retry-after': String(retryAfterSeconds) } },
  );

const view = (
  externalPosId: string,
  order: TillOrder,
  status: Exclude<TillOrderStatus, 'none'>,
): QrOrderView => ({
  externalPosId,
  externalReference: order.request.externalReference,
  title: order.view.title,
  description: order.view.description,
  totalAmount: order.view.totalAmount,
  items: order.view.items,
  expiresAt: order.expiresAt,
  status,
  orderId: order.orderId ?? undefined,
  mode: order.request.mode,
  qrData: order.qrData ?? undefined,
});

/** Reads a till's record and stores `change` of it, again on a conflict; null when `change` has nothing to do. */
const updateTill = async (
  deps: TillOrderDeps,
  externalPosId: string,
  change: (record: TillRecord | undefined) => TillRecord | null,
): Promise<TillRecord | null> => {
  for (let attempt = 0; attempt < MAX_ROUNDS; attempt++) {
    const next = change(await deps.tills.get(externalPosId));
    if (next === null) return null;
    const saved = await deps.tills.save(next);
    if (saved) return saved;
  }
  throw busy(externalPosId);
};

/** Of the current order of sequence `sequence`: `change` it, unless the till moved on. */
const ofSequence =
  (sequence: number, change: (record: TillRecord) => TillRecord) =>
  (record: TillRecord | undefined): TillRecord | null =>
    record?.current?.sequence === sequence ? change(record) : null;

// ---- the order a PUT asks for ----

interface Prepared {
  fingerprint: string;
  request: QrOrderRequest;
  view: TillOrder['view'];
  ttlSeconds: number;
}

const prepare = (deps: TillOrderDeps, externalPosId: string, body: PutQrOrderBody): Prepared => {
  const currency = SITE_CURRENCY[deps.siteId];
  const problems = orderAmountProblems(body, currency);
  if (body.description !== undefined && [...body.description].length > MAX_DESCRIPTION)
    problems.push({
      field: 'description',
      message: `must be at most ${MAX_DESCRIPTION} characters with QR_API=orders`,
    });
  if (problems.length > 0) {
    throw new ProblemError('VALIDATION_ERROR', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
      errors: problems,
    });
  }
  const decimals = decimalsOf(currency);
  const amount = (value: number) =>
    toDecimalString(must(toMinorUnits(value, decimals), 'a validated amount has minor units'), decimals);
  const ttlSeconds = body.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const mode = body.mode ?? 'static';
  const request: QrOrderRequest = {
    externalReference: body.externalReference,
    description: body.description ?? [...body.title].slice(0, MAX_DESCRIPTION).join(''),
    totalAmount: amount(body.totalAmount),
    expirationTime: isoDuration(ttlSeconds),
    externalPosId,
    mode,
    items: body.items.map((item) => ({
      title: item.title,
      unitPrice: amount(item.unitPrice),
      quantity: item.quantity,
      unitMeasure: item.unitMeasure,
      description: item.description,
      category: item.category,
      skuNumber: item.skuNumber,
    })),
  };
  // The body as the till compares it: `externalStoreId` is not used by Orders (ignored), defaults applied.
  const fingerprint = sha256Hex(
    JSON.stringify([
      PUT_TILL_ORDER_ROUTE,
      externalPosId,
      body.externalReference,
      body.title,
      body.description ?? null,
      String(body.totalAmount),
      body.items.map((i) => [
        i.skuNumber ?? null,
        i.category ?? null,
        i.title,
        i.description ?? null,
        String(i.unitPrice),
        i.quantity,
        i.unitMeasure,
        String(i.totalAmount),
      ]),
      ttlSeconds,
      mode,
    ]),
  );
  return {
    fingerprint,
    request,
    ttlSeconds,
    view: {
      title: body.title,
      description: body.description,
      totalAmount: body.totalAmount,
      items: body.items.map((item) => ({ ...item })),
    },
  };
};

// ---- creating an order with its key ----

/** Mercado Pago's answer is this till's order: its reference and till (when it says). */
const isAnswerFor = (order: MpOrder, request: QrOrderRequest): boolean =>
  order.externalReference === request.externalReference &&
  (order.qr === null || order.qr.externalPosId === request.externalPosId);

/**
 * Sends the current order's create call with its key (a first attempt, or a resume after an unknown outcome)
 * and records what it proves: the order and its ledger, or no order (refused, never received), or unknown.
 */
const sendCreate = async (
  deps: TillOrderDeps,
  record: TillRecord,
  input: CallInput,
  by: Actor,
  resume: boolean,
): Promise<{ record: TillRecord; order: MpOrder }> => {
  const { externalPosId, log } = input;
  const order = must(record.current, 'a till creating an order holds it');
  const { sequence } = order;
  let current = record;
  if (resume) {
    const nowIso = isoAt(deps.clock.now());
    const resumed = await deps.tills.save(resumeTillOrder(record, nowIso, isoAt(lockUntil(input.deadline))));
    if (!resumed) throw busy(externalPosId);
    current = resumed;
    log.warn('re-sending a till order whose create outcome is unknown, with its own key', { sequence });
  }
  let created: MpOrder;
  try {
    created = await deps.mercadoPago.createOrder(order.request, {
      idempotencyKey: tillOrderKey(externalPosId, sequence),
      deadline: input.deadline,
      log,
    });
  } catch (error) {
    const failure = classifyWriteFailure(error, {
      attempt: resume ? 2 : 1,
      refusalCode: () => null,
      refusalDetail: () => 'Mercado Pago refused the order.',
      verb: 'created',
      log,
      fields: { externalPosId, sequence },
    });
    if (failure.kind === 'unknown') {
      await updateTill(
        deps,
        externalPosId,
        ofSequence(sequence, (r) => tillOrderUnknown(r, isoAt(deps.clock.now()))),
      );
      throw unknownOutcome(externalPosId);
    }
    // Certainly not created: the till has no order now.
    await updateTill(deps, externalPosId, ofSequence(sequence, tillOrderDropped));
    if (failure.kind === 'not_sent') {
      throw new ProblemError(
        'UPSTREAM_UNAVAILABLE',
        'Mercado Pago is unavailable; no order was created. Retry later.',
        {
          headers: { 'retry-after': String(failure.retryAfterSeconds) },
        },
      );
    }
    throw new ProblemError('UPSTREAM_ERROR', failure.failure.detail);
  }
  if (!isAnswerFor(created, order.request)) {
    log.warn('the create answer names another order: outcome unknown', { sequence, answeredId: created.id });
    await updateTill(
      deps,
      externalPosId,
      ofSequence(sequence, (r) => tillOrderUnknown(r, isoAt(deps.clock.now()))),
    );
    throw unknownOutcome(externalPosId);
  }
  const orderId = normalizeOrderId(created.id);
  const known = await deps.ledgers.get(orderId);
  await applyOrderReadTo(
    deps,
    known,
    { order: { ...created, id: orderId }, at: isoAt(deps.clock.now()) },
    by,
    {
      till: externalPosId,
    },
  );
  const saved = await updateTill(
    deps,
    externalPosId,
    ofSequence(sequence, (r) =>
      tillOrderCreated(r, { orderId, qrData: created.qrData }, isoAt(deps.clock.now())),
    ),
  );
  log.info('till order created', { externalPosId, orderId, mode: order.request.mode });
  return { record: saved ?? current, order: created };
};

// ---- reading a till's order ----

/** The current order re-read (its news applied to its ledger), or its recorded state when Mercado Pago has it no more. */
const readTillOrder = async (
  deps: TillOrderDeps,
  externalPosId: string,
  order: TillOrder,
  input: Pick<CallInput, 'deadline' | 'log'>,
): Promise<TillOrderStatus> => {
  const orderId = must(order.orderId, 'a created till order has its id');
  const known = await deps.ledgers.get(orderId);
  try {
    const read = await readOrder(deps, orderId, input);
    const applied = await applyOrderReadTo(deps, known, read, MERCADOPAGO, { till: externalPosId });
    return tillStatusOf(applied.ledger?.status ?? read.order.status);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return known ? tillStatusOf(known.status) : 'none';
  }
};

// ---- the routes ----

export const getTillOrder = async (deps: TillOrderDeps, input: CallInput): Promise<HttpResponse> => {
  const { externalPosId } = input;
  const order = (await deps.tills.get(externalPosId))?.current;
  if (!order) throw none(externalPosId);
  if (order.state === 'creating') {
    if (isCreateInFlight(order, deps.clock.now())) throw busy(externalPosId);
    throw unknownOutcome(externalPosId);
  }
  const status = await readTillOrder(deps, externalPosId, order, input);
  if (status === 'none') throw none(externalPosId);
  return { status: 200, body: view(externalPosId, order, status) };
};

export const putTillOrder = async (
  deps: TillOrderDeps,
  input: CallInput & { body: PutQrOrderBody; idempotencyKey: string | undefined },
): Promise<HttpResponse> => {
  const prepared = prepare(deps, input.externalPosId, input.body);
  if (input.idempotencyKey === undefined) return runPut(deps, input, prepared);
  const outcome = await withIdempotencyKey(
    deps,
    {
      key: input.idempotencyKey,
      route: PUT_TILL_ORDER_ROUTE,
      subjectId: `till:${input.externalPosId}`,
      fingerprint: prepared.fingerprint,
      requestId: input.requestId,
      lockUntil: lockUntil(input.deadline),
      log: input.log,
    },
    {
      // The stored 201 is the answer; a request that died is run again (the till makes it safe).
      replay: () => undefined,
      run: async (claim) => {
        try {
          const response = await runPut(deps, input, prepared);
          await deps.idempotency.complete(claim.key, claim.lockOwner, response);
          return response;
        } catch (error) {
          await deps.idempotency.release(claim.key, claim.lockOwner);
          throw error;
        }
      },
    },
  );
  return keyedResponse(outcome);
};

const runPut = async (deps: TillOrderDeps, input: CallInput, prepared: Prepared): Promise<HttpResponse> => {
  const { externalPosId, log } = input;
  const by = caller(input.caller);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const record = await deps.tills.get(externalPosId);
    const current = record?.current;
    if (record !== undefined && current?.state === 'creating') {
      if (isCreateInFlight(current, deps.clock.now())) throw busy(externalPosId);
      // Its outcome is unknown: Mercado Pago answers the order its key made (or makes it), then it is decided.
      await sendCreate(deps, record, input, by, true);
      continue;
    }
    if (current?.state === 'created') {
      const status = await readTillOrder(deps, externalPosId, current, input);
      if (current.fingerprint === prepared.fingerprint && (status === 'open' || status === 'paid')) {
        log.info('till order answered again: the same body', { externalPosId, orderId: current.orderId });
        return { status: 201, body: view(externalPosId, current, status) };
      }
      if (status === 'open') await cancelForReplace(deps, externalPosId, current, input, by);
    }
    const nowMs = deps.clock.now();
    const started = startTillOrder(
      record,
      externalPosId,
      { ...prepared, expiresAt: isoAt(nowMs + prepared.ttlSeconds * 1000) },
      isoAt(nowMs),
      isoAt(lockUntil(input.deadline)),
    );
    const saved = await deps.tills.save(started);
    if (!saved) continue;
    const created = await sendCreate(deps, saved, input, by, false);
    const order = must(created.record.current, 'a created till order');
    return { status: 201, body: view(externalPosId, order, 'open') };
  }
  throw busy(externalPosId);
};

/** A till holds one open order: the current one is cancelled before another is created. */
const cancelForReplace = async (
  deps: TillOrderDeps,
  externalPosId: string,
  order: TillOrder,
  input: CallInput,
  by: Actor,
): Promise<void> => {
  const orderId = must(order.orderId, 'a created till order has its id');
  const outcome = await cancelOrder(deps, {
    orderId,
    idempotencyKey: null,
    by,
    deadline: input.deadline,
    log: input.log,
  });
  switch (outcome.kind) {
    case 'not_found':
    case 'checked':
      // Cancelled, expired, or paid meanwhile (left as it is): no longer open either way.
      return;
    case 'busy':
      throw busy(externalPosId);
    case 'recorded':
      if (outcome.state.status !== 'pending') return;
      throw new ProblemError(
        'UPSTREAM_UNAVAILABLE',
        `The open order of till ${externalPosId} could not be cancelled for certain; no order was created. Retry later.`,
        { headers: { 'retry-after': '5' } },
      );
    case 'not_sent':
      throw new ProblemError(
        'UPSTREAM_UNAVAILABLE',
        `Mercado Pago is unavailable: the open order of till ${externalPosId} was not cancelled, no order was created.`,
        { headers: { 'retry-after': String(outcome.retryAfterSeconds) } },
      );
    case 'upstream_error':
      throw new ProblemError('UPSTREAM_ERROR', outcome.failure.detail);
  }
};

export const deleteTillOrder = async (deps: TillOrderDeps, input: CallInput): Promise<HttpResponse> => {
  const { externalPosId } = input;
  const by = caller(input.caller);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const record = await deps.tills.get(externalPosId);
    const order = record?.current;
    if (record === undefined || order === undefined) throw none(externalPosId);
    if (order.state === 'creating') {
      if (isCreateInFlight(order, deps.clock.now())) throw busy(externalPosId);
      await sendCreate(deps, record, input, by, true);
      continue;
    }
    const orderId = must(order.orderId, 'a created till order has its id');
    const outcome = await cancelOrder(deps, {
      orderId,
      idempotencyKey: null,
      by,
      deadline: input.deadline,
      log: input.log,
    });
    const paidOrNone = (status: TillOrderStatus) => {
      if (status === 'paid')
        throw new ProblemError(
          'QR_ORDER_ALREADY_PAID',
          `The order of till ${externalPosId} was paid: refund it instead with POST /orders/${orderId}/refunds.`,
        );
      throw none(externalPosId);
    };
    switch (outcome.kind) {
      case 'not_found':
        throw none(externalPosId);
      case 'checked':
        return paidOrNone(outcome.check.kind === 'refused' ? tillStatusOf(outcome.status) : 'none');
      case 'busy':
        throw busy(externalPosId);
      case 'not_sent':
        throw new ProblemError(
          'UPSTREAM_UNAVAILABLE',
          'Mercado Pago is unavailable; nothing was cancelled. Retry later.',
          {
            headers: { 'retry-after': String(outcome.retryAfterSeconds) },
          },
        );
      case 'upstream_error':
        throw new ProblemError('UPSTREAM_ERROR', outcome.failure.detail);
      case 'recorded': {
        const { state } = outcome;
        if (state.status === 'cancelled') {
          input.log.info('till order cancelled', { externalPosId, orderId });
          return { status: 204 };
        }
        if (state.status === 'pending') throw unknownCancellation(externalPosId);
        if (state.status === 'expired') throw none(externalPosId);
        // Refused by Mercado Pago: no longer open (paid or expired meanwhile); a fresh read says which.
        const status = await readTillOrder(deps, externalPosId, order, input);
        if (status === 'open')
          throw new ProblemError(
            'UPSTREAM_ERROR',
            `Mercado Pago refused to cancel the open order of till ${externalPosId}.`,
          );
        return paidOrNone(status);
      }
    }
  }
  throw busy(externalPosId);
};

const unknownCancellation = (externalPosId: string) =>
  new ProblemError(
    'UPSTREAM_UNAVAILABLE',
    `Mercado Pago did not say whether the order of till ${externalPosId} was cancelled: repeat the DELETE.`,
    { headers: { 'retry-after': '5' } },
  );
