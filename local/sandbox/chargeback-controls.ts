/** The in-process controls of chargebacks and disputes (see sandbox-api.ts and README.md). */
import { chargebackJson } from './chargeback-json.ts';
import {
  type ChargebackOutcome,
  chargebackOrThrow,
  type OpenChargebackInput,
  openChargeback,
  resolveChargeback,
  setChargebackDeadline,
} from './chargebacks.ts';
import type { SandboxContext } from './context.ts';
import type { DateInput } from './dates.ts';

export interface ChargebackControls {
  /** Opens a case on an approved payment (payment `charged_back`/`in_process`); returns its 18-digit id. */
  openChargeback(paymentId: string, input?: OpenChargebackInput): string;
  /** won: `coverage_applied: true`, payment `reimbursed`; lost: `false`, payment `settled`. */
  resolveChargeback(chargebackId: string, outcome: ChargebackOutcome): Record<string, unknown>;
  setChargebackDeadline(chargebackId: string, deadline: DateInput | null): Record<string, unknown>;
  /** As `GET /v1/chargebacks/{id}` shows it. */
  getChargeback(chargebackId: string): Record<string, unknown> | undefined;
}

export const chargebackControls = (
  ctx: SandboxContext,
  swept: <T>(run: () => T) => T,
): ChargebackControls => ({
  openChargeback: (paymentId, input = {}) => swept(() => openChargeback(ctx, paymentId, input).id),
  resolveChargeback: (id, outcome) => swept(() => chargebackJson(ctx, resolveChargeback(ctx, id, outcome))),
  setChargebackDeadline: (id, deadline) =>
    swept(() => chargebackJson(ctx, setChargebackDeadline(ctx, id, deadline))),
  getChargeback: (id) =>
    swept(() =>
      ctx.store.chargebacks.has(id) ? chargebackJson(ctx, chargebackOrThrow(ctx, id)) : undefined,
    ),
});
