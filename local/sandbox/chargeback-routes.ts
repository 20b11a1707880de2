/** `GET /v1/chargebacks/{id}` and `GET /v1/chargebacks/search?payment_id=` (Payments error shape). */
import { type Route, simpleError } from './api-routes.ts';
import { chargebackJson, chargebackSearchJson } from './chargeback-json.ts';
import { visibleChargeback } from './chargebacks.ts';
import { isDigits } from './ids.ts';
import { badRequest } from './mp-errors.ts';
import type { ChargebackRecord } from './state.ts';

export const CHARGEBACK_ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/v1\/chargebacks\/search$/,
    idempotencyKey: 'ignored',
    run: (ctx, { request }) => {
      const paymentId = request.query.get('payment_id');
      if (paymentId !== null && !isDigits(paymentId))
        throw badRequest(ctx.now(), 'payment_id must be digits');
      const found = [...ctx.store.chargebacks.values()]
        .filter((c) => paymentId === null || c.paymentId === paymentId)
        .map((c) => visibleChargeback(ctx, c.id))
        .filter((c): c is ChargebackRecord => c !== undefined);
      return { status: 200, body: chargebackSearchJson(ctx, found) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/chargebacks\/([^/]+)$/,
    idempotencyKey: 'ignored',
    run: (ctx, { params }) => {
      const id = params[0] ?? '';
      const chargeback = isDigits(id) ? visibleChargeback(ctx, id) : undefined;
      if (!chargeback) return simpleError(404, 'not_found', `Chargeback ${id} not found`);
      return { status: 200, body: chargebackJson(ctx, chargeback) };
    },
  },
];
