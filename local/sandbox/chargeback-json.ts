/**
 * A chargeback as `GET /v1/chargebacks/{id}` answers it. `documented` (default): the reference's example
 * (`id` a string of 18 digits, `payments: [<number>]`, `amount` a number, `coverage_applied`, the reference's
 * own spelling `coverage_elegible`, documentation fields, dates with `-04:00`). `sdk`: the SDK mocks' object
 * (`payment_id`, `status` new | in_review | won | lost, `currency_id`, `reason_id`, `last_modified`).
 */
import { decimalsOf, fromMinorUnits } from '../../functions/model/money.ts';
import type { SandboxContext } from './context.ts';
import { mpDate } from './dates.ts';
import type { ChargebackRecord } from './state.ts';

const sdkStatus = (chargeback: ChargebackRecord): string =>
  chargeback.coverageApplied === true
    ? 'won'
    : chargeback.coverageApplied === false
      ? 'lost'
      : chargeback.documentationStatus === 'review_pending'
        ? 'in_review'
        : 'new';

export const chargebackJson = (
  ctx: SandboxContext,
  chargeback: ChargebackRecord,
): Record<string, unknown> => {
  const amount = fromMinorUnits(chargeback.amountMinor, decimalsOf(chargeback.currency));
  if (ctx.settings.chargebackForm === 'sdk') {
    return {
      id: chargeback.id,
      payment_id: Number(chargeback.paymentId),
      status: sdkStatus(chargeback),
      amount,
      currency_id: chargeback.currency,
      reason_id: '4853',
      reason: chargeback.reason,
      date_created: mpDate(chargeback.dateCreated),
      last_modified: mpDate(chargeback.dateLastUpdated),
    };
  }
  return {
    id: chargeback.id,
    payments: [Number(chargeback.paymentId)],
    currency: chargeback.currency,
    amount,
    reason: chargeback.reason,
    coverage_applied: chargeback.coverageApplied,
    coverage_elegible: true,
    documentation_required: chargeback.documentationRequired,
    documentation_status: chargeback.documentationStatus,
    documentation: [],
    date_documentation_deadline: chargeback.deadline === null ? null : mpDate(chargeback.deadline),
    date_created: mpDate(chargeback.dateCreated),
    date_last_updated: mpDate(chargeback.dateLastUpdated),
    live_mode: false,
  };
};

/** `GET /v1/chargebacks/search?payment_id=`: `{paging: {offset, limit, total}, results: [...]}`. */
export const chargebackSearchJson = (
  ctx: SandboxContext,
  found: ChargebackRecord[],
): Record<string, unknown> => ({
  paging: { offset: 0, limit: 30, total: found.length },
  results: found.map((chargeback) => chargebackJson(ctx, chargeback)),
});
