/**
 * The cancellation entry point (handler.ts) as Lambda loads it: configuration checked at cold start, then
 * one request each through the real wiring (environment -> runtime -> routes) against sandbox and dynalite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { coldStartRig } from '../support/cold-start.ts';
import { type Harness, invoke } from '../support/harness.ts';

const rig = coldStartRig(() => import('../../functions/cancellation/handler.ts'));
const { withEnv, load } = rig;
let h: Harness;
let baseEnv: Record<string, string>;
beforeAll(() => {
  h = rig.harness();
  baseEnv = rig.baseEnv();
});

describe('cancellation handler', () => {
  it('cold start fails on a malformed configuration, naming the variable', async () => {
    withEnv({ ...baseEnv, IDEMPOTENCY_KEY_RETENTION_DAYS: 'forever' });
    await expect(load()).rejects.toMatchObject({
      name: 'ConfigError',
      variable: 'IDEMPOTENCY_KEY_RETENTION_DAYS',
    });
  });

  it('reads only its own slice: a variable only other functions read does not concern it', async () => {
    withEnv({ ...baseEnv, MP_SITE_ID: 'XXX', WEBHOOK_TOLERANCE_SECONDS: 'soon' });
    await expect(load()).resolves.toBeTypeOf('function');
  });

  it('serves POST /payments/{paymentId}/cancellation (MP_USER_ID not needed)', async () => {
    withEnv({ ...baseEnv, MP_USER_ID: '' });
    const handler = await load();
    const id = h.sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 20 });
    const res = await invoke(handler, { method: 'POST', path: `/payments/${id}/cancellation` });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ paymentId: id, status: 'cancelled', statusDetail: 'by_collector' });
  });
});
