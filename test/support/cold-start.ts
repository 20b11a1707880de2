/**
 * For tests of a function's entry point (handler.ts) as Lambda loads it: the harness, an environment that
 * configures every variable for it, and a fresh import of the handler per test (so cold start runs again).
 */
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { type Harness, type LambdaLike, SANDBOX_TOKEN, startHarness } from './harness.ts';

export interface ColdStartRig {
  harness(): Harness;
  baseEnv(): Record<string, string>;
  withEnv(env: Record<string, string>): void;
  load(): Promise<LambdaLike>;
}

export const coldStartRig = (importHandler: () => Promise<unknown>): ColdStartRig => {
  let h: Harness;
  let env: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness();
    const endpoint = await h.dynamo.config.endpoint!();
    env = {
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
    const { closeSharedAgents } = await import('../../functions/adapters/mercadopago/http.ts');
    await closeSharedAgents();
    const { dynamoDbClient } = await import('../../functions/adapters/dynamodb/client.ts');
    dynamoDbClient().destroy();
    await h.close();
  });

  beforeEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  return {
    harness: () => h,
    baseEnv: () => env,
    withEnv: (vars) => {
      for (const [name, value] of Object.entries(vars)) vi.stubEnv(name, value);
    },
    load: async () => ((await importHandler()) as { handler: LambdaLike }).handler,
  };
};
