/** The payment or order an operations route is about, read from its path: the same routes serve both. */
import { readOrderId, readPaymentId } from '../http/parameters.ts';
import { ProblemError } from '../http/problems.ts';
import type { HttpRequest } from '../http/types.ts';
import { LedgerKind } from '../model/ledger/types.ts';
import type { OpsDeps } from './deps.ts';
import type { SubjectReader } from './subjects.ts';

export interface Subject {
  kind: LedgerKind;
  id: string;
}

export const subjectOf = (req: Pick<HttpRequest, 'pathParameters'>): Subject =>
  req.pathParameters.orderId !== undefined
    ? { kind: LedgerKind.Order, id: readOrderId(req) }
    : { kind: LedgerKind.Payment, id: readPaymentId(req) };

/** `/payments/{id}` or `/orders/{id}`: how route keys and commands name the subject. */
export const subjectPath = (subject: Subject): string =>
  subject.kind === LedgerKind.Order ? '/orders/{orderId}' : '/payments/{paymentId}';

export const subjectNotFound = (subject: Subject, why = 'this service has no record of it'): ProblemError =>
  subject.kind === LedgerKind.Order
    ? new ProblemError('ORDER_NOT_FOUND', `Order ${subject.id} was not found: ${why}.`)
    : new ProblemError('PAYMENT_NOT_FOUND', `Payment ${subject.id} was not found: ${why}.`);

/** Who re-reads the subject at Mercado Pago. */
export const readerOf = (deps: Pick<OpsDeps, 'payments' | 'orders'>, subject: Subject): SubjectReader => {
  const reader = subject.kind === LedgerKind.Order ? deps.orders : deps.payments;
  if (reader === undefined)
    throw new ProblemError(
      'INTERNAL_ERROR',
      `Orders cannot be re-read at Mercado Pago by this version (no Orders API client): order ${subject.id} was not changed.`,
    );
  return reader;
};
