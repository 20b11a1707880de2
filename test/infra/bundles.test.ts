/**
 * The real bundles: synthesized once with local esbuild bundling, then measured, scanned and loaded in a
 * fresh Node process outside the repository (so nothing resolves from node_modules). A probe bundle built with
 * the same options shows the AWS SDK still signs with the environment's credentials without the providers
 * that are left out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ENTRIES } from '../../functions/routes.ts';
import type { FunctionId } from '../../infra/access.ts';
import {
  BUNDLING,
  CREATE_REQUIRE_BANNER,
  UNUSED_CREDENTIAL_PROVIDERS,
} from '../../infra/constructs/project-function.ts';
import { resourcesOf, type Synthesized, synthesize } from './synth.ts';

const FUNCTION_IDS = Object.keys(FUNCTION_ENTRIES) as FunctionId[];
// Issue 10: every HTTP function at most 700 KB (undici's Agent alone ~280 KB, the DynamoDB client ~330 KB).
const MAX_BUNDLE_BYTES = 700 * 1024;
/**
 * The hourly reports job also bundles the S3 client (the reports bucket) and csv-parse. It answers no request,
 * so its cold start (once an hour) does not count; its cap still catches a runaway dependency.
 */
const MAX_BYTES: Partial<Record<FunctionId, number>> = { 'reports-job': 1536 * 1024 };

/** Strings found only in the code of the left-out credential providers. */
const LEFT_OUT_MARKERS = [
  'credential-provider-ini - fromIni',
  'credential-provider-process - fromProcess',
  'credential-provider-sso - fromSSO',
  'credential-provider-web-identity - fromWebToken',
  'EC2 Metadata token request returned error',
];

const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAPROBE00000000000',
  AWS_SECRET_ACCESS_KEY: 'probe-secret-access-key',
  AWS_SESSION_TOKEN: 'probe-session-token',
};

let synth: Synthesized;
let scratch: string;
let server: Server;
let endpoint: string;
const received: { target: string; headers: IncomingHttpHeaders }[] = [];

/** Answers the four calls of the probe as the services would. */
const answer = (target: string, body: string): unknown => {
  if (target.startsWith('DynamoDB_20120810.')) return {};
  if (target === 'secretsmanager.GetSecretValue')
    return { ARN: 'arn', Name: 'token', SecretString: 'from-server' };
  if (target === 'AmazonSQS.SendMessage') {
    const { MessageBody } = JSON.parse(body) as { MessageBody: string };
    return { MessageId: 'm-1', MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex') };
  }
  if (target === 'AWSEvents.PutEvents') return { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
  return undefined;
};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'infra-bundles-'));
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      received.push({ target, headers: request.headers });
      const reply = answer(target, body);
      response.writeHead(reply === undefined ? 400 : 200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(reply ?? { __type: 'UnknownOperationException' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A complete configuration (without MP_USER_ID the QR routes would answer 500).
  synth = synthesize({ mpUserId: '123456789', mpExternalStoreId: 'STORE_1' }, { bundle: true });
}, 90_000);

afterAll(async () => {
  synth?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const bundleOf = (functionId: FunctionId): string => {
  const fn = resourcesOf(synth.template, 'AWS::Lambda::Function')[synth.functionLogicalId(functionId)]!;
  const key = (fn.Properties.Code as { S3Key: string }).S3Key;
  return join(synth.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
};

/** Runs `node --input-type=module -e script ...args` with only the given environment; resolves with its output. */
const runNode = (
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

/** The function's environment as in the template, with tokens replaced by plausible values. */
const environmentFor = (functionId: FunctionId): Record<string, string> => {
  const fn = resourcesOf(synth.template, 'AWS::Lambda::Function')[synth.functionLogicalId(functionId)]!;
  const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  const fakes: Record<string, string> = {
    TABLE_NAME: 'ledger',
    MP_ACCESS_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbC123',
    MP_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:webhook-AbC123',
    NOTIFICATION_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/notifications',
    NOTIFICATION_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/notifications-dlq',
    REPORTS_WAKE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/reports-wake',
    EVENT_BUS_NAME: 'events',
    PUBLIC_WEBHOOK_URL: 'https://api.example.com/webhooks/mercadopago',
  };
  const env: Record<string, string> = {
    ...FAKE_CREDENTIALS,
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: functionId,
  };
  for (const [name, value] of Object.entries(variables)) {
    env[name] = typeof value === 'string' ? value : (fakes[name] ?? 'unexpected-token');
  }
  return env;
};

describe.each(FUNCTION_IDS)('%s bundle', (functionId) => {
  it('is one ESM file under its cap (700 KB; the reports job more) with the createRequire banner and without the left-out providers', () => {
    const file = bundleOf(functionId);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeLessThan(MAX_BYTES[functionId] ?? MAX_BUNDLE_BYTES);
    const code = readFileSync(file, 'utf8');
    expect(code.startsWith(CREATE_REQUIRE_BANNER)).toBe(true);
    for (const marker of LEFT_OUT_MARKERS) expect(code).not.toContain(marker);
  });

  it('loads in a fresh Node process outside the repository and exports a handler', async () => {
    const directory = join(scratch, functionId);
    cpSync(join(bundleOf(functionId), '..'), directory, { recursive: true });
    const result = await runNode(
      'const m = await import(process.argv[1]); console.log("handler:" + typeof m.handler);',
      [join(directory, 'index.mjs')],
      environmentFor(functionId),
      directory,
    );
    expect(result.code, result.stderr.slice(-1500)).toBe(0);
    expect(result.stderr.slice(-1500)).toBe('');
    expect(result.stdout).toContain('handler:function');
  });
});

describe('the AWS SDK without the left-out credential providers', () => {
  const buildProbe = async (external: readonly string[]): Promise<string> => {
    const outfile = join(scratch, `probe-${external.length}`, 'index.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'fixtures', 'sdk-probe.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: BUNDLING.target,
      minify: BUNDLING.minify,
      mainFields: BUNDLING.mainFields,
      banner: { js: BUNDLING.banner ?? '' },
      external: [...external],
      logLevel: 'silent',
    });
    return outfile;
  };
  const runProbe = (bundle: string, env: Record<string, string>) =>
    runNode(
      'const m = await import(process.argv[1]); console.log(JSON.stringify(await m.probe(process.argv[2])));',
      [bundle, endpoint],
      { AWS_REGION: 'us-east-1', ...env },
      join(bundle, '..'),
    );

  it('leaves exactly the providers of UNUSED_CREDENTIAL_PROVIDERS out (the markers are theirs)', async () => {
    expect(BUNDLING.externalModules).toEqual([...UNUSED_CREDENTIAL_PROVIDERS]);
    const withAll = readFileSync(await buildProbe([]), 'utf8');
    const withoutUnused = readFileSync(await buildProbe(UNUSED_CREDENTIAL_PROVIDERS), 'utf8');
    for (const marker of LEFT_OUT_MARKERS) {
      expect(withAll).toContain(marker);
      expect(withoutUnused).not.toContain(marker);
    }
    expect(withoutUnused.length).toBeLessThan(withAll.length - 50 * 1024);
  });

  it('signs DynamoDB, Secrets Manager, SQS and EventBridge calls with the environment credentials', async () => {
    const bundle = await buildProbe(UNUSED_CREDENTIAL_PROVIDERS);
    received.length = 0;
    const result = await runProbe(bundle, FAKE_CREDENTIALS);
    expect(result.code, result.stderr.slice(-1500)).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      'dynamodb',
      'secretsmanager:from-server',
      'sqs',
      'eventbridge',
    ]);
    expect(received.map((call) => call.target)).toEqual([
      'DynamoDB_20120810.GetItem',
      'secretsmanager.GetSecretValue',
      'AmazonSQS.SendMessage',
      'AWSEvents.PutEvents',
    ]);
    for (const call of received) {
      expect(call.headers.authorization).toContain(`Credential=${FAKE_CREDENTIALS.AWS_ACCESS_KEY_ID}/`);
      expect(call.headers['x-amz-security-token']).toBe(FAKE_CREDENTIALS.AWS_SESSION_TOKEN);
    }
  });

  it('fails without environment credentials, since the other providers are not there', async () => {
    const bundle = await buildProbe(UNUSED_CREDENTIAL_PROVIDERS);
    const result = await runProbe(bundle, {});
    expect(result.code).not.toBe(0);
    expect(result.stderr.slice(-1500)).toMatch(
      /Cannot find (package|module) '@aws-sdk\/credential-provider-/,
    );
  });
});
