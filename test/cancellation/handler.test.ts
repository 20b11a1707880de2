/**
 * The cancellation entry point (handler.ts) as Lambda loads it: configuration checked at cold start, then
 * one request each through the real wiring (environment -> runtime -> routes) against sandbox and dynalite.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LambdaLike } from '../support/harness.ts';
import { type Harness, invoke, SANDBOX_TOKEN, startHarness } from '../support/harness.ts';

let h: Harness;
let baseEnv: Record<string, string>;

beforeAll(async () => {
  h = await startHarness();
  const endpoint = await h.dynamo.config.endpoint!();
  baseEnv = {
    TABLE_NAME: h.tableName,
    DYNAMODB_ENDPOINT: `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`,
    MP_API_BASE_URL: h.sandbox.url,
    MP_ACCESS_TOKEN: SANDBOX_TOKEN,
    MP_USER_ID: h.sandbox.userId,
    MP_EXTERNAL_STORE_ID: 'SUC001',
    MP_SITE_ID: 'MLB',
    PUBLIC_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/mercadopago',
    LOG_LEVEL: 'error',
  };
});

afterAll(async () => {
  vi.unstubAllEnvs();
  const { closeSharedAgents } = await import('../../functions/shared/mercadopago/http.ts');
  await closeSharedAgents();
  const { dynamoDbClient } = await import('../../functions/shared/storage/dynamodb.ts');
  dynamoDbClient().destroy();
  await h.close();
});

beforeEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const withEnv = (env: Record<string, string>) => {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
};

const load = async (): Promise<LambdaLike> =>
  ((await import('../../functions/cancellation/handler.ts')) as { handler: LambdaLike }).handler;

describe('cancellation handler', () => {
  it('cold start fails on a malformed configuration, naming the variable', async () => {
    withEnv({ ...baseEnv, MP_SITE_ID: 'XXX' });
    await expect(load()).rejects.toMatchObject({ name: 'ConfigError', variable: 'MP_SITE_ID' });
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
