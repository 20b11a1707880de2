/** What a failed Mercado Pago write proves (operations/classify-write.ts). */
import { describe, expect, it } from 'vitest';
import { classifyWriteFailure } from '../../functions/operations/classify-write.ts';
import {
  MercadoPagoError,
  type MercadoPagoErrorDetails,
  refundRefusalCode,
} from '../../functions/ports/mercadopago-errors.ts';
import { quietLogger } from '../support/harness.ts';

const mp = (details: MercadoPagoErrorDetails) => new MercadoPagoError('x', details);
const classify = (error: unknown, attempt = 1) =>
  classifyWriteFailure(error, {
    attempt,
    refusalCode: refundRefusalCode,
    refusalDetail: (code) => `detail of ${code}`,
    verb: 'refunded',
    log: quietLogger,
    fields: {},
  });

describe('classifyWriteFailure', () => {
  it('a named refusal fails with its code, and keeps the key', () => {
    expect(
      classify(mp({ kind: 'refused', httpStatus: 400, causeCodes: ['2024'], upstreamRequestId: 'mp-1' })),
    ).toEqual({
      kind: 'refused',
      failure: { code: 'REFUND_WINDOW_EXPIRED', detail: 'detail of REFUND_WINDOW_EXPIRED' },
      freesKey: false,
      requestId: 'mp-1',
    });
  });

  it('an unnamed refusal fails as UPSTREAM_ERROR and frees the key (502)', () => {
    expect(classify(mp({ kind: 'refused', httpStatus: 401 }))).toMatchObject({
      kind: 'refused',
      failure: { code: 'UPSTREAM_ERROR' },
      freesKey: true,
    });
  });

  it('certainly not received on the first attempt with the key: not sent (503), with Retry-After', () => {
    expect(classify(mp({ kind: 'unavailable', retryAfterSeconds: 7 }))).toMatchObject({
      kind: 'not_sent',
      retryAfterSeconds: 7,
    });
  });

  it('anything that may have acted is unknown: 5xx/timeouts, a 409 or 423 for the key, a later attempt refused or unreachable, a bug', () => {
    expect(classify(mp({ kind: 'unknown_outcome', httpStatus: 503 })).kind).toBe('unknown');
    expect(classify(mp({ kind: 'unknown_outcome', httpStatus: 423 })).kind).toBe('unknown');
    expect(classify(mp({ kind: 'refused', httpStatus: 409 })).kind).toBe('unknown');
    expect(classify(mp({ kind: 'refused', httpStatus: 423 })).kind).toBe('unknown');
    expect(classify(mp({ kind: 'refused', httpStatus: 400, causeCodes: ['2063'] }), 2).kind).toBe('unknown');
    expect(classify(mp({ kind: 'unavailable' }), 2).kind).toBe('unknown');
    expect(classify(new TypeError('boom')).kind).toBe('unknown');
  });

  it('a 409 is a refusal only when its code is one (the Orders API: invalid_order_status, order_already_refunded)', () => {
    expect(
      classify(mp({ kind: 'refused', httpStatus: 409, causeCodes: ['invalid_order_status'] })).kind,
    ).toBe('refused');
    expect(
      classify(mp({ kind: 'refused', httpStatus: 409, causeCodes: ['order_already_refunded'] })).kind,
    ).toBe('refused');
    expect(classify(mp({ kind: 'refused', httpStatus: 409, causeCodes: ['refund_in_progress'] })).kind).toBe(
      'unknown',
    );
    // Even a named refusal of a later attempt proves nothing: an earlier one may have acted.
    expect(
      classify(mp({ kind: 'refused', httpStatus: 409, causeCodes: ['invalid_order_status'] }), 2).kind,
    ).toBe('unknown');
  });
});
