/**
 * Secrets: a value (local) or a Secrets Manager ARN (AWS), read on first use and cached for 5 minutes so a
 * rotated secret is picked up without a redeploy. A failed refresh keeps serving the cached value.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretSource } from '../config/fields.ts';

export const SECRET_CACHE_MS = 5 * 60_000;

export type SecretFetcher = (arn: string) => Promise<string>;

let secretsManager: SecretsManagerClient | undefined;

const fetchFromSecretsManager: SecretFetcher = async (arn) => {
  secretsManager ??= new SecretsManagerClient({});
  const result = await secretsManager.send(new GetSecretValueCommand({ SecretId: arn }));
  if (result.SecretString === undefined) throw new Error(`Secret ${arn} has no string value`);
  return result.SecretString;
};

export const createSecretResolver = (
  source: SecretSource,
  options: { fetch?: SecretFetcher; now?: () => number; ttlMs?: number } = {},
): (() => Promise<string>) => {
  if (source.kind === 'value') return async () => source.value;
  const fetch = options.fetch ?? fetchFromSecretsManager;
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? SECRET_CACHE_MS;
  let cached: { value: string; at: number } | undefined;
  let inFlight: Promise<string> | undefined;
  return async () => {
    if (cached && now() - cached.at < ttlMs) return cached.value;
    inFlight ??= fetch(source.arn)
      .then((value) => {
        cached = { value, at: now() };
        return value;
      })
      .catch((error: unknown) => {
        if (cached) return cached.value;
        throw error;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
};

/**
 * The webhook secrets of a rotation: `a,b` as a value, `{"current":"a","previous":"b"}` in Secrets Manager
 * (a plain string there is taken as one secret). Empty entries are dropped.
 */
export const parseWebhookSecrets = (text: string, source: SecretSource['kind']): string[] => {
  if (source === 'secretsManager' && text.trim().startsWith('{')) {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return [parsed.current, parsed.previous]
      .filter((s): s is string => typeof s === 'string' && s.trim() !== '')
      .map((s) => s.trim());
  }
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
};
