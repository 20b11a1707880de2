/** The order as this API shows it (GET, and PUT's answer): Mercado Pago's order plus what we recorded. */

import { normalizeDate } from '../model/ledger/statuses.ts';
import { effectiveQrOrderStatus, type QrOrderRecord, type QrOrderStatus } from '../model/qr-order.ts';
import type { MpQrOrder, MpQrOrderItem } from '../ports/mercadopago.ts';

/** Items are shown as Mercado Pago holds them (the same fields as PUT takes). */
export type QrOrderItemView = MpQrOrderItem;

export interface QrOrderView {
  externalPosId: string;
  externalStoreId?: string;
  externalReference: string;
  title: string;
  description?: string;
  totalAmount: number;
  items: QrOrderItemView[];
  expiresAt?: string;
  status: QrOrderStatus;
  /** QR_API=orders: the Orders API order, its mode, and for dynamic and hybrid orders the EMVCo string. */
  orderId?: string;
  mode?: 'static' | 'dynamic' | 'hybrid';
  qrData?: string;
}

/**
 * `record` is ours for this order on this till, when we put it: it gives the store and the status
 * (`expired` once its expiry passed). Orders put elsewhere are `open` while Mercado Pago shows them.
 */
export const qrOrderView = (
  order: MpQrOrder,
  externalPosId: string,
  record: QrOrderRecord | undefined,
  nowMs: number,
): QrOrderView => {
  const expiresAt = normalizeDate(order.expirationDate) ?? record?.expiresAt;
  return {
    externalPosId,
    externalStoreId: record?.externalStoreId,
    externalReference: order.externalReference,
    title: order.title,
    description: order.description,
    totalAmount: order.totalAmount,
    items: order.items,
    expiresAt,
    status: record ? effectiveQrOrderStatus(record, nowMs) : 'open',
  };
};
