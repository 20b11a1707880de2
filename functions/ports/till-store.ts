/** Where the tills' orders (QR_API=orders) are kept (functions/adapters/dynamodb implements it). */
import type { TillRecord } from '../model/till.ts';

export interface TillStore {
  get(externalPosId: string): Promise<TillRecord | undefined>;
  /** Stores `record` if nobody wrote since its `version`; the stored record, or null on a conflict. */
  save(record: TillRecord): Promise<TillRecord | null>;
}
