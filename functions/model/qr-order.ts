/** An in-store QR order this service put on a till, and the rules of its status. */

export const QrOrderStatus = { Open: 'open', Paid: 'paid', Expired: 'expired' } as const;
export type QrOrderStatus = (typeof QrOrderStatus)[keyof typeof QrOrderStatus];

export interface QrOrderRecord {
  externalReference: string;
  externalPosId: string;
  /** undefined when the order was put without a store. */
  externalStoreId: string | undefined;
  /** Integer minor units of `currency` (the currency of MP_SITE_ID). */
  totalMinor: number;
  currency: string;
  title: string;
  /** ISO-8601 UTC: when Mercado Pago stops offering the order (its TTL). */
  expiresAt: string;
  status: QrOrderStatus;
  createdAt: string;
  updatedAt: string;
}

/** The status GET shows: the stored one, read as `expired` once an open order's expiry has passed. */
export const effectiveQrOrderStatus = (
  record: Pick<QrOrderRecord, 'status' | 'expiresAt'>,
  nowMs: number,
): QrOrderStatus =>
  record.status === QrOrderStatus.Open && Date.parse(record.expiresAt) <= nowMs
    ? QrOrderStatus.Expired
    : record.status;
