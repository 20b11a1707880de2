/**
 * `npm run ops` (tools/ops) as a process against a local server serving the operations and refund routes over
 * the harness (dynalite + the sandbox): a refund stuck pending is found, understood, rechecked and settled by a
 * person, every step through the CLI. Then the deployed-API options: SigV4 signed with the caller's AWS
 * credentials (checked against the SDK's signer), a JWT, and the dead-letter redrive against a fake SQS.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import { refundRoutes } from '../../functions/refunds/routes.ts';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import { startFakeAws } from '../support/fake-aws.ts';
import { type Harness, quietLogger, startHarness } from '../support/harness.ts';
import { MINUTE, type MovableClock, movableClock, opsApi } from './support.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run ops -- <args>`, as a process of the project's Node, with only the given environment. */
const ops = async (args: string[], env: Record<string, string> = {}): Promise<Outcome> => {
  try {
    const { stdout, stderr } = await run(process.execPath, ['tools/ops/main.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

let h: Harness;
let clock: MovableClock;
let server: LocalServer;
let local: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({ sandbox: { notificationsEnabled: false } });
  clock = movableClock();
  const api = opsApi(h, clock);
  server = await startLocalServer({
    port: 0,
    handlers: {
      ops: api.handler,
      refunds: createHttpHandler(
        refundRoutes(async () => api.refunds.deps),
        { logger: quietLogger, clock },
      ),
    },
    log: quietLogger,
  });
  local = { PORT: String(server.port) };
});
afterAll(async () => {
  await server?.close();
  await h?.close();
});
beforeEach(async () => {
  await h.sandbox.resetFaults();
});

describe('npm run ops against the local server', () => {
  it('finds, explains and settles a refund stuck pending, each step a command', async () => {
    const paymentId = h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 80 });
    h.sandbox.drop({ method: 'POST', path: `^/v1/payments/${paymentId}/refunds$`, times: 10 });
    const created = await fetch(`${server.url}/payments/${paymentId}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'cli-stuck-1' },
      body: JSON.stringify({ amount: 12.5 }),
    });
    expect(created.status).toBe(202);
    const refundId = ((await created.json()) as { id: string }).id;
    await h.sandbox.resetFaults();

    expect((await ops(['attention'], local)).stdout).toContain('Nothing waits on a person.');
    clock.advance(11 * MINUTE);

    // Found: a table row and what to do.
    const found = await ops(['attention'], local);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/#\s+SINCE\s+AGE\s+KIND\s+ABOUT\s+REFUND/);
    expect(found.stdout).toContain(`refund_pending_too_long  payment ${paymentId}`);
    expect(found.stdout).toContain(`npm run ops -- resolve ${paymentId} ${refundId} failed`);
    const asJson = JSON.parse((await ops(['attention', '--json'], local)).stdout) as {
      items: { kind: string; refundId?: string }[];
    };
    expect(asJson.items).toContainEqual(
      expect.objectContaining({ kind: 'refund_pending_too_long', refundId }),
    );

    // Understood: its story, and Mercado Pago re-read (it shows no refund).
    const story = await ops(['history', paymentId], local);
    expect(story.code).toBe(0);
    expect(story.stdout).toMatch(/AT\s+BY\s+CHANGE\s+DETAIL/);
    expect(story.stdout).toContain('refund_reserved');
    expect(story.stdout).toContain('refund_outcome_unknown');
    const rechecked = await ops(['recheck', paymentId], local);
    expect(rechecked.code).toBe(0);
    expect(rechecked.stdout).toContain(`Payment ${paymentId}: approved`);
    expect(rechecked.stdout).toMatch(new RegExp(`${refundId}\\s+pending\\s+12.5\\s+api\\s+-`));

    // Refused decisions say why and change nothing.
    const refused = await ops(
      ['resolve', paymentId, refundId, 'succeeded', '--mp-refund', '999', '--note', 'x'],
      local,
    );
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.stderr).toContain('409 RESOLUTION_CONFLICT');
    expect((await ops(['resolve', paymentId, refundId, 'failed'], local)).code).toBe(2);

    // Settled.
    const settled = await ops(
      [
        'resolve',
        paymentId,
        refundId,
        'failed',
        '--note',
        'No refund of 12.50 in the panel',
        '--key',
        'cli-decision-1',
      ],
      local,
    );
    expect(settled.code).toBe(0);
    expect(settled.stdout).toContain(`Refund ${refundId}: failed, 12.5 BRL — resolved by person:local`);
    expect(h.events().filter((e) => e['detail-type'] === 'Refund Failed')).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          refund: expect.objectContaining({
            id: refundId,
            resolution: expect.objectContaining({ by: 'person:local' }),
          }),
        }),
      }),
    ]);
    // The same key repeats the same answer; another decision is refused; nothing waits any more.
    expect(
      (
        await ops(
          [
            'resolve',
            paymentId,
            refundId,
            'failed',
            '--note',
            'No refund of 12.50 in the panel',
            '--key',
            'cli-decision-1',
          ],
          local,
        )
      ).code,
    ).toBe(0);
    const twice = await ops(['resolve', paymentId, refundId, 'failed', '--note', 'again'], local);
    expect(twice.stderr).toContain('409 REFUND_ALREADY_SETTLED');
    expect((await ops(['attention'], local)).stdout).toContain('Nothing waits on a person.');
    expect((await ops(['history', paymentId], local)).stdout).toMatch(/person:local\s+refund_failed/);
  }, 120_000);

  it('explains what it needs: usage, ids, an unreachable server', async () => {
    const usage = await ops([]);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toContain('npm run ops -- <command>');
    expect((await ops(['history', 'not-an-id'], local)).stderr).toContain('neither a payment id');
    expect((await ops(['frobnicate'], local)).code).toBe(2);
    expect((await ops(['attention', '--bogus'], local)).code).toBe(2);
    const unreachable = await ops(['attention'], { PORT: '9' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:9');
    expect((await ops(['history', '91111111111'], local)).stderr).toContain('404 PAYMENT_NOT_FOUND');
  }, 60_000);
});

describe('npm run ops against the deployed API', () => {
  let capture: Server;
  let received: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let captureUrl: string;

  beforeAll(async () => {
    capture = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ items: [] }));
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    captureUrl = `http://127.0.0.1:${(capture.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    capture?.close();
  });
  beforeEach(() => {
    received = [];
  });

  const credentials = {
    AWS_ACCESS_KEY_ID: 'AKIAOPSCLITEST000001',
    AWS_SECRET_ACCESS_KEY: 'ops-cli-test-secret',
    AWS_SESSION_TOKEN: 'ops-cli-session',
  };

  it('signs each request with SigV4 (execute-api) from the caller\u2019s credentials: the SDK signer agrees', async () => {
    const outcome = await ops(['attention', '--url', `${captureUrl}/`, '--region', 'sa-east-1'], credentials);
    expect(outcome.code).toBe(0);
    const [request] = received;
    expect(request?.url).toBe('/ops/attention');
    const authorization = String(request?.headers.authorization);
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAOPSCLITEST000001\/\d{8}\/sa-east-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-date[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.headers['x-amz-security-token']).toBe('ops-cli-session');
    // The request as received, signed again at its own x-amz-date: the same signature (nothing altered).
    const signer = new SignatureV4({
      service: 'execute-api',
      region: 'sa-east-1',
      sha256: Sha256,
      credentials: {
        accessKeyId: credentials.AWS_ACCESS_KEY_ID,
        secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY,
        sessionToken: credentials.AWS_SESSION_TOKEN,
      },
    });
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(request?.headers[name])]));
    const amzDate = String(request?.headers['x-amz-date']);
    const again = await signer.sign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/ops/attention',
        query: {},
        headers,
      },
      {
        signingDate: new Date(
          `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
        ),
      },
    );
    expect(again.headers.authorization).toBe(authorization);
  });

  it('sends a JWT with --token instead, and needs a region to sign where the URL gives none', async () => {
    expect((await ops(['attention', '--url', captureUrl, '--token', 'eyJ.test.token'])).code).toBe(0);
    expect(received[0]?.headers.authorization).toBe('Bearer eyJ.test.token');
    const noRegion = await ops(['attention', '--url', captureUrl], credentials);
    expect(noRegion.code).toBe(2);
    expect(noRegion.stderr).toContain('--region');
  });

  it('redrive starts SQS\u2019s move of the dead letters back to their queue', async () => {
    const sqs = await startFakeAws((call) =>
      call.target === 'AmazonSQS.StartMessageMoveTask'
        ? { body: { TaskHandle: 'task-1' } }
        : {
            body: {
              Results: [
                {
                  Status: 'RUNNING',
                  ApproximateNumberOfMessagesMoved: 1,
                  ApproximateNumberOfMessagesToMove: 3,
                },
              ],
            },
          },
    );
    try {
      const arn = 'arn:aws:sqs:sa-east-1:123456789012:notifications-dlq';
      const outcome = await ops(['redrive', '--dlq-arn', arn], {
        ...credentials,
        AWS_ENDPOINT_URL_SQS: sqs.url,
      });
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toContain('task task-1');
      expect(outcome.stdout).toContain('Status: RUNNING, 1 of 3 moved');
      expect(sqs.calls('AmazonSQS.StartMessageMoveTask')[0]?.body).toEqual({ SourceArn: arn });
      expect(String(sqs.calls()[0]?.headers.authorization)).toContain('/sa-east-1/sqs/aws4_request');
      expect((await ops(['redrive'], credentials)).code).toBe(2);
    } finally {
      await sqs.close();
    }
  });
});
