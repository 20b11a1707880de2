/**
 * The Orders API's error answers: `{"errors":[{"code","message"}]}` (the shape 3rd-party code expects; the
 * docs show none). Thrown by the Orders domain code; the router writes it as the answer.
 */
export interface OrdersErrorBody {
  errors: { code: string; message: string; details: string[] }[];
}

export class OrdersHttpError extends Error {
  readonly status: number;
  readonly body: OrdersErrorBody;
  /** A refusal that may pass (e.g. `refund_in_progress`): the idempotency key stays free. */
  readonly transient: boolean;

  constructor(status: number, code: string, message: string, transient = false) {
    super(message);
    this.name = 'OrdersHttpError';
    this.status = status;
    this.body = { errors: [{ code, message, details: [] }] };
    this.transient = transient;
  }
}

export const ORDERS_PATH = /^\/v1\/orders(\/|$)/;

export const orderNotFound = (id: string): OrdersHttpError =>
  new OrdersHttpError(404, 'order_not_found', `Order ${id} not found`);

export const invalidField = (field: string, message: string): OrdersHttpError =>
  new OrdersHttpError(400, `invalid_${field}`, message);
