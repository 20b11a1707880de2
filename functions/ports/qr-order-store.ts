/** Where QR orders are kept (functions/adapters/dynamodb implements it). */
import type { OutEvent } from '../model/events/types.ts';
import type { QrOrderRecord } from '../model/qr-order.ts';

export interface QrOrderStore {
  get(externalReference: string): Promise<QrOrderRecord | undefined>;
  /** Creates or replaces the record; false (nothing written) when the stored one is already paid. */
  put(record: QrOrderRecord): Promise<boolean>;
  /**
   * Marks an order paid (from open or expired: Mercado Pago's word that it was paid wins) or expired (only
   * from open). false when nothing changed: no such record, or the move is not allowed.
   */
  markStatus(
    externalReference: string,
    status: 'paid' | 'expired',
    at: string,
    events: readonly OutEvent[],
  ): Promise<boolean>;
}
