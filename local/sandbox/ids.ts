/**
 * Mercado Pago ids are large numbers (payments ~11 digits, refunds and merchant orders ~10, chargebacks 18,
 * beyond what a JSON number holds exactly). The sandbox counts from fixed starts, so the same calls after a
 * start give the same ids (README curl lines rely on it). Orders API ids (`ORD…`, `PAY…`, `REF…`) are
 * ULID-like: a prefix and 26 upper-case letters and digits.
 */
import { randomBytes } from 'node:crypto';

export class IdSequence {
  #next: bigint;

  constructor(first: number | bigint) {
    this.#next = BigInt(first);
  }

  next(): string {
    const id = String(this.#next);
    this.#next += 1n;
    return id;
  }
}

export const FIRST_CREATED_PAYMENT_ID = 21_000_000_001;
export const FIRST_REFUND_ID = 1_000_000_001;
export const FIRST_MERCHANT_ORDER_ID = 4_000_000_001;
export const FIRST_NOTIFICATION_ID = 100_000_000_001;
/** 18 digits, like `234000062890459000`: never exact as a JS number. */
export const FIRST_CHARGEBACK_ID = 234_000_062_890_459_001n;
export const FIRST_REPORT_ID = 30_000_001;

/** Ids in paths: strings of digits (Mercado Pago's ids can exceed what a JSON number holds exactly). */
export const isDigits = (value: string): boolean => /^\d{1,20}$/.test(value);

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID (10 time characters, 16 random ones) after a prefix: `ORD01JQ4S4KY8HWQ6NA5PXB65B3D3`. */
export const orderStyleId = (prefix: 'ORD' | 'PAY' | 'REF', nowMs: number): string => {
  let time = '';
  let rest = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(rest % 32) + time;
    rest = Math.floor(rest / 32);
  }
  const random = [...randomBytes(16)].map((byte) => CROCKFORD.charAt(byte % 32)).join('');
  return `${prefix}${time}${random}`;
};

/** What a path may carry as an Orders API id; anything else is `400 invalid_path_param`. */
export const isOrdersId = (prefix: 'ORD' | 'PAY' | 'REF', value: string): boolean =>
  new RegExp(`^${prefix}[A-Za-z0-9]{20,40}$`).test(value);

/** A fixed application id for `integration_data` and notification bodies. */
export const SANDBOX_APPLICATION_ID = '4599991948843755';
