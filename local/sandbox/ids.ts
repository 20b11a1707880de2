/**
 * Mercado Pago ids are large numbers (payments ~11 digits, refunds and merchant orders ~10). The sandbox
 * counts from fixed starts, so the same calls after a start give the same ids (README curl lines rely on it).
 */
export class IdSequence {
  #next: number;

  constructor(first: number) {
    this.#next = first;
  }

  next(): string {
    const id = String(this.#next);
    this.#next += 1;
    return id;
  }
}

export const FIRST_CREATED_PAYMENT_ID = 21_000_000_001;
export const FIRST_REFUND_ID = 1_000_000_001;
export const FIRST_MERCHANT_ORDER_ID = 4_000_000_001;
export const FIRST_NOTIFICATION_ID = 100_000_000_001;

/** Ids in paths: strings of digits (Mercado Pago's ids can exceed what a JSON number holds exactly). */
export const isDigits = (value: string): boolean => /^\d{1,20}$/.test(value);
