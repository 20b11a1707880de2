/**
 * `npm start` (local/start.ts) and `npm run reconcile` (local/reconcile.ts) as processes, when what they need
 * is taken: a port in use, a DATA_DIR another process holds open. Each says so in one line and exits.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTable, type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../local/dynamodb.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TABLE = 'mercadopago-refunds-local';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a script of local/ with the project's Node and only the given environment, to its exit. */
const script = async (file: string, env: Record<string, string>): Promise<Outcome> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [file], {
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

/** What a developer reads: one line, no stack trace. */
const expectOneLine = (stderr: string) => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
};

const clientFor = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('npm start', () => {
  let busy: Server;

  beforeAll(async () => {
    busy = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
  });
  afterAll(() => {
    busy?.close();
  });

  it('with PORT in use: one line naming the port, exit 1', async () => {
    const { port } = busy.address() as { port: number };
    const outcome = await script('local/start.ts', { PORT: String(port) });
    expect(outcome.code).toBe(1);
    expectOneLine(outcome.stderr);
    expect(outcome.stderr).toContain(`Cannot listen on 127.0.0.1:${port}: the port is in use`);
    expect(outcome.stderr).toContain('set PORT');
  });
});

describe('a DATA_DIR another process holds open', () => {
  let dataDir: string;
  let holder: EmbeddedDynamoDb | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-dir-'));
    holder = await startEmbeddedDynamoDb({ dataDir });
    // A first request: the folder is open (and locked) once it is answered.
    const client = clientFor(holder.endpoint);
    await createTable(client, TABLE);
    client.destroy();
  });
  afterAll(async () => {
    await holder?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('npm start: one line naming the folder, exit 1', async () => {
    const outcome = await script('local/start.ts', { PORT: '0', DATA_DIR: dataDir });
    expect(outcome.code).toBe(1);
    expectOneLine(outcome.stderr);
    expect(outcome.stderr).toContain(`DATA_DIR ${dataDir} is in use by another process`);
  });

  it('npm run reconcile: says to stop the server or use its DynamoDB endpoint, exit 2', async () => {
    const outcome = await script('local/reconcile.ts', { MP_ACCESS_TOKEN: 'TEST-x', DATA_DIR: dataDir });
    expect(outcome.code).toBe(2);
    expectOneLine(outcome.stderr);
    expect(outcome.stderr).toContain(`DATA_DIR ${dataDir} is in use by another process`);
    expect(outcome.stderr).toContain('Stop it first');
    expect(outcome.stderr).toContain('DYNAMODB_ENDPOINT');
    expect(outcome.stderr).not.toContain('Database is closed');
  });

  it('npm run reconcile through the endpoint instead: runs', async () => {
    const outcome = await script('local/reconcile.ts', {
      MP_ACCESS_TOKEN: 'TEST-x',
      MP_API_BASE_URL: 'http://127.0.0.1:9',
      DYNAMODB_ENDPOINT: holder!.endpoint,
      LOG_LEVEL: 'error',
    });
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('{"reconcile":{');
  });
});

describe('npm run reconcile on a DATA_DIR', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'data-dir-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('without the table: says there is nothing to reconcile, exit 2', async () => {
    const outcome = await script('local/reconcile.ts', { MP_ACCESS_TOKEN: 'TEST-x', DATA_DIR: dataDir });
    expect(outcome.code).toBe(2);
    expectOneLine(outcome.stderr);
    expect(outcome.stderr).toContain(`No table ${TABLE}`);
  });

  it('that no process holds, with the table: runs', async () => {
    const db = await startEmbeddedDynamoDb({ dataDir });
    const client = clientFor(db.endpoint);
    await createTable(client, TABLE);
    client.destroy();
    await db.close();

    const outcome = await script('local/reconcile.ts', {
      MP_ACCESS_TOKEN: 'TEST-x',
      MP_API_BASE_URL: 'http://127.0.0.1:9',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
    });
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('{"reconcile":{');
  });
});

describe('npm start with DATA_DIR and the embedded sandbox', () => {
  let dir: string;
  let dataDir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'data-dir-'));
    dataDir = join(dir, 'data');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('says the sandbox forgets its refunds on restart while the folder keeps the ledgers', async () => {
    const child = spawn(process.execPath, ['local/start.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        DATA_DIR: dataDir,
        EVENTS_FILE: join(dir, 'events.jsonl'),
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const exited = once(child, 'exit');
    try {
      for await (const chunk of child.stdout) {
        stdout += String(chunk);
        if (stdout.includes('Demo payments')) break;
      }
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(stdout).toContain(`data in ${dataDir}`);
    expect(stdout).toContain('the sandbox keeps its payments and refunds in memory');
    expect(stdout).toContain('refund ids start again');
  });
});
