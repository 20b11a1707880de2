/**
 * A till's orders through the Orders API (QR_API=orders). Mercado Pago has no "current order of a till"
 * read, so this service keeps the till's latest order: what it asked Mercado Pago to create, with which key,
 * and the order's id once known. A till holds one order at a time; each order this service creates on a
 * till has its own sequence number, hence its own Mercado Pago key, never reused for another body.
 */
import { deterministicUuid } from './ids.ts';

export type QrMode = 'static' | 'dynamic' | 'hybrid';

/** `POST /v1/orders` of a QR order, as sent (amounts as decimal strings): re-sent as is with its key. */
export interface QrOrderRequest {
  externalReference: string;
  /** At most 150 characters. */
  description: string;
  totalAmount: string;
  /** ISO-8601 duration, e.g. `PT10M`. */
  expirationTime: string;
  externalPosId: string;
  mode: QrMode;
  items: {
    title: string;
    unitPrice: string;
    quantity: number;
    unitMeasure: string;
    description?: string;
    category?: string;
    skuNumber?: string;
  }[];
}

/** What the till routes show of the order besides Mercado Pago's word: the PUT body's own fields. */
export interface TillOrderView {
  title: string;
  description?: string;
  totalAmount: number;
  items: {
    skuNumber?: string;
    category?: string;
    title: string;
    description?: string;
    unitPrice: number;
    quantity: number;
    unitMeasure: string;
    totalAmount: number;
  }[];
}

export interface TillOrder {
  sequence: number;
  /** Of the PUT body: a PUT with the same body answers this order. */
  fingerprint: string;
  request: QrOrderRequest;
  view: TillOrderView;
  /** `creating`: its create call is running, or ended without a known outcome; `created`: `orderId` known. */
  state: 'creating' | 'created';
  orderId: string | null;
  /** Dynamic and hybrid orders: the EMVCo string to render. */
  qrData: string | null;
  /** ISO: when the order stops being payable (its `expiration_time` from its creation here). */
  expiresAt: string;
  /** While creating: no attempt can still be running after this. */
  inFlightUntil?: string;
  createdAt: string;
  updatedAt: string;
}

export interface TillRecord {
  externalPosId: string;
  /** Orders this service created on the till so far (the last sequence used). */
  sequence: number;
  current?: TillOrder;
  /** Optimistic concurrency: 0 = not stored yet. */
  version: number;
}

/** The Mercado Pago key of a till's order: one per order this service creates there, the same on every retry. */
export const tillOrderKey = (externalPosId: string, sequence: number): string =>
  deterministicUuid(JSON.stringify(['till-order', externalPosId, sequence]));

/** A create call of this order may still be running. */
export const isCreateInFlight = (order: TillOrder, nowMs: number): boolean =>
  order.state === 'creating' && order.inFlightUntil !== undefined && Date.parse(order.inFlightUntil) > nowMs;

/** The till with a new order being created (its call in flight until `lockUntil`). */
export const startTillOrder = (
  record: TillRecord | undefined,
  externalPosId: string,
  order: Pick<TillOrder, 'fingerprint' | 'request' | 'view' | 'expiresAt'>,
  now: string,
  lockUntil: string,
): TillRecord => {
  const sequence = (record?.sequence ?? 0) + 1;
  return {
    externalPosId,
    sequence,
    current: {
      ...order,
      sequence,
      state: 'creating',
      orderId: null,
      qrData: null,
      inFlightUntil: lockUntil,
      createdAt: now,
      updatedAt: now,
    },
    version: record?.version ?? 0,
  };
};

/** Another attempt of the current order's create call (its outcome was unknown). */
export const resumeTillOrder = (record: TillRecord, now: string, lockUntil: string): TillRecord =>
  withCurrent(record, (order) => ({ ...order, inFlightUntil: lockUntil, updatedAt: now }));

/** The current order's create call was answered: its id (and QR data) are known. */
export const tillOrderCreated = (
  record: TillRecord,
  created: { orderId: string; qrData: string | null },
  now: string,
): TillRecord =>
  withCurrent(record, ({ inFlightUntil: _done, ...order }) => ({
    ...order,
    state: 'created',
    orderId: created.orderId,
    qrData: created.qrData,
    updatedAt: now,
  }));

/** The current order's create call ended without a known outcome: a retry re-sends it with its key. */
export const tillOrderUnknown = (record: TillRecord, now: string): TillRecord =>
  withCurrent(record, (order) => ({ ...order, inFlightUntil: now, updatedAt: now }));

/** The current order was certainly never created (refused, or never received): the till has none. */
export const tillOrderDropped = (record: TillRecord): TillRecord => {
  const { current: _dropped, ...rest } = record;
  return rest;
};

const withCurrent = (record: TillRecord, change: (order: TillOrder) => TillOrder): TillRecord =>
  record.current === undefined ? record : { ...record, current: change(record.current) };
