/**
 * Mercado Pago resources as this project uses them, after parsing and normalization: ids are strings of
 * digits, amounts are numbers in major units as Mercado Pago sent them, dates are the strings it sent
 * (or null when absent or empty). Only the fields the code uses are here; the schemas tolerate the rest.
 */
import type { ChargebackFacts, OrderFacts, PaymentFacts, RefundFact } from '../model/facts.ts';
import type { QrOrderRequest } from '../model/till.ts';
import type { Logger } from '../observability/logger.ts';

export type MpRefundStatus =
  | 'approved'
  | 'in_process'
  | 'authorized'
  | 'rejected'
  | 'cancelled'
  | (string & {});

/** Mercado Pago's x-request-id of the answer a value was read from (logs and the ledger's history). */
export interface Answered {
  mercadoPagoRequestId?: string;
}

/** A refund as Mercado Pago reports it (the model's RefundFact). */
export type MpRefund = RefundFact;

/** A payment as Mercado Pago reports it (the model's PaymentFacts), with the answer's request id. */
export type MpPayment = PaymentFacts & Answered;

/** Mercado Pago's answer to a cancellation: sometimes the whole payment, sometimes only these. */
export interface MpCancellation extends Answered {
  id: string;
  status: string;
  statusDetail: string | null;
}

export interface MpQrOrderItem {
  skuNumber?: string;
  category?: string;
  title: string;
  description?: string;
  unitPrice: number;
  quantity: number;
  unitMeasure: string;
  totalAmount: number;
}

export interface MpQrOrder {
  externalReference: string;
  title: string;
  description?: string;
  totalAmount: number;
  items: MpQrOrderItem[];
  expirationDate?: string;
  notificationUrl?: string;
}

export interface MpMerchantOrder {
  id: string;
  status: 'opened' | 'closed' | 'expired' | (string & {});
  orderStatus: string | null;
  externalReference: string | null;
  totalAmount: number;
  paidAmount: number;
  payments: { id: string; status: string; transactionAmount: number }[];
}

export interface CallOptions {
  /** Epoch ms after which the call must have given up (the Lambda's remaining time). */
  deadline?: number;
  signal?: AbortSignal;
  /** Per-request logger (carries our request id); Mercado Pago's x-request-id is added per call. */
  log?: Logger;
}

export interface WriteOptions extends CallOptions {
  /** Sent as `X-Idempotency-Key`, the same on every retry of the same logical operation. */
  idempotencyKey: string;
}

export interface PutQrOrderInput {
  userId: string;
  /** undefined: Mercado Pago's store-less path (`/collectors/{user_id}/pos/{external_pos_id}/orders`). */
  externalStoreId: string | undefined;
  externalPosId: string;
  ttlSeconds: number;
  order: MpQrOrder;
}

/** An Orders API order as Mercado Pago reports it (the model's OrderFacts), with the answer's request id. */
export type MpOrder = OrderFacts & Answered;

/** Mercado Pago's answer to an order cancellation: the order, or only its id and status. */
export interface MpOrderCancellation extends Answered {
  id: string;
  status: string;
  statusDetail: string | null;
}

/** Mercado Pago's answer to an order refund: the order's id and status, and `transactions.refunds[]`. */
export interface MpOrderRefund extends Answered {
  orderId: string;
  status: string | null;
  refunds: RefundFact[];
}

export type { QrMode } from '../model/till.ts';

/** `POST /v1/orders` of a QR order; amounts are decimal strings already (`"12.50"`). */
export type CreateQrOrderInput = QrOrderRequest;

/** A part of an order refund: one payment transaction and an amount (decimal string); none = everything left. */
export interface OrderRefundPart {
  transactionId: string;
  amount: string;
}

export interface MercadoPagoClient {
  getPayment(paymentId: string, options?: CallOptions): Promise<MpPayment>;
  /**
   * `amount` in major units; undefined = refund of everything left (`{}`). The answer is whatever refund
   * Mercado Pago answered with: the caller checks that it is one of this payment's.
   */
  createRefund(
    paymentId: string,
    amount: number | undefined,
    options: WriteOptions,
  ): Promise<MpRefund & Answered>;
  listRefunds(paymentId: string, options?: CallOptions): Promise<MpRefund[]>;
  cancelPayment(paymentId: string, options: WriteOptions): Promise<MpCancellation>;
  /** null when the till has no order (404 point_of_sale_in_store_order_not_found, or `[]`). */
  getQrOrder(userId: string, externalPosId: string, options?: CallOptions): Promise<MpQrOrder | null>;
  putQrOrder(input: PutQrOrderInput, options: WriteOptions): Promise<void>;
  /** false when the till had no order. */
  deleteQrOrder(userId: string, externalPosId: string, options?: CallOptions): Promise<boolean>;
  getMerchantOrder(merchantOrderId: string, options?: CallOptions): Promise<MpMerchantOrder>;
  /** `GET /v1/chargebacks/{id}`: the case (404: not found with our token). */
  getChargeback(chargebackId: string, options?: CallOptions): Promise<MpChargeback>;
  /** `POST /v1/orders`: the order created (or the one this key created before). */
  createOrder(input: CreateQrOrderInput, options: WriteOptions): Promise<MpOrder>;
  /** `GET /v1/orders/{id}` (orders under 3 months old; older: 404). */
  getOrder(orderId: string, options?: CallOptions): Promise<MpOrder>;
  cancelOrder(orderId: string, options: WriteOptions): Promise<MpOrderCancellation>;
  /** The answer is whatever Mercado Pago answered with: the caller checks which refund of it is its own. */
  refundOrder(
    orderId: string,
    part: OrderRefundPart | undefined,
    options: WriteOptions,
  ): Promise<MpOrderRefund>;
}

/** A chargeback case as Mercado Pago reports it (the model's ChargebackFacts), with the answer's request id. */
export type MpChargeback = ChargebackFacts & Answered;
