import { describe, expect, it } from 'vitest';
import { createLogger } from '../../functions/shared/logger.ts';
import {
  MercadoPagoError,
  type MercadoPagoErrorDetails,
  refundRefusalCode,
} from '../../functions/shared/mercadopago/errors.ts';
import { classifyWriteFailure } from '../../functions/shared/mercadopago/write-failure.ts';

const log = createLogger({ level: 'error', sink: () => undefined });
const mp = (details: MercadoPagoErrorDetails) => new MercadoPagoError('x', details);
const classify = (error: unknown, firstAttempt = true) =>
  classifyWriteFailure(error, {
    firstAttempt,
    refusalCode: refundRefusalCode,
    refusalDetail: (code) => `detail of ${code}`,
    verb: 'refunded',
    log,
    fields: {},
  });

describe('classifyWriteFailure', () => {
  it('a named refusal fails with its code, and keeps the key', () => {
    const result = classify(mp({ kind: 'refused', httpStatus: 400, causeCodes: ['2024'] }));
    expect(result).toEqual({
      kind: 'refused',
      failure: { code: 'REFUND_WINDOW_EXPIRED', detail: 'detail of REFUND_WINDOW_EXPIRED' },
    });
  });

  it('an unnamed refusal fails as UPSTREAM_ERROR and frees the key with a 502', () => {
    const result = classify(mp({ kind: 'refused', httpStatus: 401 }));
    expect(result).toMatchObject({ kind: 'refused', failure: { code: 'UPSTREAM_ERROR' } });
    expect(result.kind === 'refused' && result.releaseKeyWith?.status).toBe(502);
  });

  it('certainly not done on a first attempt fails and frees the key with a 503 and Retry-After', () => {
    const result = classify(mp({ kind: 'unavailable', retryAfterSeconds: 7 }));
    expect(result).toMatchObject({ kind: 'refused', failure: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(result.kind === 'refused' && result.releaseKeyWith?.headers['retry-after']).toBe('7');
  });

  it('anything that may have acted is unknown: 5xx/timeouts, a 409, a re-send refused or unreachable, a bug', () => {
    expect(classify(mp({ kind: 'unknown_outcome', httpStatus: 503 })).kind).toBe('unknown');
    expect(classify(mp({ kind: 'refused', httpStatus: 409 })).kind).toBe('unknown');
    expect(classify(mp({ kind: 'refused', httpStatus: 400, causeCodes: ['2063'] }), false).kind).toBe(
      'unknown',
    );
    expect(classify(mp({ kind: 'unavailable' }), false).kind).toBe('unknown');
    expect(classify(new TypeError('boom')).kind).toBe('unknown');
  });
});
