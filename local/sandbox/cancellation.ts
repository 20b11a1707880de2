/**
 * PUT /v1/payments/{id} `{"status":"cancelled"}`: allowed for pending, in_process and authorized payments
 * that are not in-person; anything else is 400 code 2018. Other updates (capture...) are not served.
 */
import type { SandboxContext } from './context.ts';
import { badRequest, paymentNotFound } from './mp-errors.ts';
import { announcePayment, visiblePayment } from './payments.ts';
import type { PaymentRecord, PaymentStatus } from './state.ts';

const CANCELLABLE: readonly PaymentStatus[] = ['pending', 'in_process', 'authorized'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const cancelPayment = (ctx: SandboxContext, paymentId: string, body: unknown): PaymentRecord => {
  const now = ctx.now();
  const payment = visiblePayment(ctx, paymentId);
  if (!payment) throw paymentNotFound(now);
  if (!isRecord(body) || body.status === undefined) {
    throw badRequest(now, 'The update must include the status to set');
  }
  if (body.status !== 'cancelled' || Object.keys(body).length !== 1) {
    throw badRequest(now, 'Only {"status":"cancelled"} is supported by this sandbox', 'unsupported_update');
  }
  if (payment.inPerson) {
    throw badRequest(now, 'In-person payments cannot be cancelled: refund them instead', 2018);
  }
  if (!CANCELLABLE.includes(payment.status)) {
    throw badRequest(now, 'The action requested is not valid for the current payment state', 2018);
  }
  payment.status = 'cancelled';
  payment.statusDetail = 'by_collector';
  payment.dateOfExpiration = null;
  payment.dateLastUpdated = now;
  ctx.log(`payment ${payment.id} cancelled`);
  announcePayment(ctx, payment, 'payment.updated');
  return payment;
};
