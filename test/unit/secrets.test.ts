/** Secrets: a value as it is, an ARN read on first use, cached 5 minutes, rotation picked up, a failed refresh tolerated. */
import { describe, expect, it } from 'vitest';
import {
  createSecretResolver,
  parseWebhookSecrets,
  SECRET_CACHE_MS,
} from '../../functions/adapters/secrets.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:1:secret:token';

const fakeSecretsManager = (...answers: (string | Error)[]) => {
  const calls: string[] = [];
  const fetch = async (arn: string) => {
    calls.push(arn);
    const answer = answers.shift() ?? new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, fetch };
};

describe('createSecretResolver', () => {
  it('a value is served as it is, without any read', async () => {
    expect(await createSecretResolver({ kind: 'value', value: 'local-token' })()).toBe('local-token');
  });

  it('an ARN is read on first use and cached for 5 minutes; then read again (a rotation is picked up)', async () => {
    let now = 0;
    const sm = fakeSecretsManager('first', 'rotated');
    const resolve = createSecretResolver(
      { kind: 'secretsManager', arn: ARN },
      { fetch: sm.fetch, now: () => now },
    );
    expect(sm.calls).toEqual([]);
    expect(await resolve()).toBe('first');
    now = SECRET_CACHE_MS - 1;
    expect(await resolve()).toBe('first');
    expect(sm.calls).toEqual([ARN]);
    now = SECRET_CACHE_MS;
    expect(await resolve()).toBe('rotated');
    expect(sm.calls).toEqual([ARN, ARN]);
  });

  it('concurrent first uses make one read', async () => {
    const sm = fakeSecretsManager('only');
    const resolve = createSecretResolver(
      { kind: 'secretsManager', arn: ARN },
      { fetch: sm.fetch, now: () => 0 },
    );
    expect(await Promise.all([resolve(), resolve(), resolve()])).toEqual(['only', 'only', 'only']);
    expect(sm.calls).toHaveLength(1);
  });

  it('a failed refresh keeps serving the cached value; with nothing cached, the failure is thrown (and retried next time)', async () => {
    let now = 0;
    const sm = fakeSecretsManager('cached', new Error('throttled'), new Error('down'), 'back');
    const resolve = createSecretResolver(
      { kind: 'secretsManager', arn: ARN },
      { fetch: sm.fetch, now: () => now },
    );
    expect(await resolve()).toBe('cached');
    now = SECRET_CACHE_MS;
    expect(await resolve()).toBe('cached');
    const cold = createSecretResolver(
      { kind: 'secretsManager', arn: ARN },
      { fetch: sm.fetch, now: () => now },
    );
    await expect(cold()).rejects.toThrow('down');
    expect(await cold()).toBe('back');
  });
});

describe('parseWebhookSecrets', () => {
  it('a value: comma-separated during a rotation, blanks dropped', () => {
    expect(parseWebhookSecrets(' new , old ,', 'value')).toEqual(['new', 'old']);
  });

  it('Secrets Manager: {"current","previous"}, or a plain string as one secret', () => {
    expect(parseWebhookSecrets('{"current":"a","previous":" b "}', 'secretsManager')).toEqual(['a', 'b']);
    expect(parseWebhookSecrets('{"current":"a","previous":""}', 'secretsManager')).toEqual(['a']);
    expect(parseWebhookSecrets('just-one', 'secretsManager')).toEqual(['just-one']);
  });
});
