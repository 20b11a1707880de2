/**
 * Where report files and results are kept: the bucket in AWS (against a tiny S3 stand-in speaking S3's REST
 * protocol, path-style) and REPORTS_DIR locally. A file is stored byte for byte as it streams in, and read back.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalArchive } from '../../functions/adapters/archive/local-archive.ts';
import { createS3Archive } from '../../functions/adapters/archive/s3-archive.ts';

const CSV = 'SOURCE_ID;TRANSACTION_TYPE\n1;SETTLEMENT\n2;"REFUND; partial"\n';

async function* chunks(text: string) {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
}

/**
 * S3 takes a streamed body in the aws-chunked encoding (`<hex size>\r\n<bytes>\r\n` ..., `0\r\n`, trailers
 * such as the CRC32 checksum) and stores the decoded bytes; the stand-in does the same and checks both the
 * declared length and the trailing checksum, as S3 would.
 */
const decodeAwsChunked = (raw: Buffer, headers: IncomingHttpHeaders): Buffer => {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    const size = Number.parseInt(raw.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    at = lineEnd + 2;
    if (size === 0) break;
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  const body = Buffer.concat(parts);
  if (String(body.length) !== headers['x-amz-decoded-content-length'])
    throw new Error('decoded length differs from x-amz-decoded-content-length');
  const trailers = raw.subarray(at).toString('latin1');
  const crc = /x-amz-checksum-crc32:(\S+)/.exec(trailers)?.[1];
  if (headers['x-amz-trailer'] === 'x-amz-checksum-crc32' && crc === undefined)
    throw new Error('the announced CRC32 trailer is missing');
  if (crc !== undefined) {
    const expected = Buffer.alloc(4);
    expected.writeUInt32BE(zlibCrc32(body));
    if (crc !== expected.toString('base64')) throw new Error('CRC32 trailer does not match the body');
  }
  return body;
};

const collect = async (source: AsyncIterable<Uint8Array>) => {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(Buffer.from(part));
  return Buffer.concat(parts).toString('utf8');
};

describe('S3 archive', () => {
  const objects = new Map<string, { body: Buffer; type: string | undefined }>();
  const requests: string[] = [];
  const decodedLengths: (string | string[] | undefined)[] = [];
  let server: Server;
  let client: S3Client;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (part: Buffer) => parts.push(part));
      req.on('end', () => {
        const key = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
        requests.push(`${req.method} ${key}`);
        if (req.method === 'PUT') {
          const raw = Buffer.concat(parts);
          const chunked = String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
          if (chunked) decodedLengths.push(req.headers['x-amz-decoded-content-length']);
          let body: Buffer;
          try {
            body = chunked ? decodeAwsChunked(raw, req.headers) : raw;
          } catch (error) {
            res
              .writeHead(400, { 'content-type': 'application/xml' })
              .end(`<Error><Code>BadDigest</Code><Message>${String(error)}</Message></Error>`);
            return;
          }
          objects.set(key, { body, type: req.headers['content-type'] });
          res.writeHead(200, { etag: '"x"' }).end();
          return;
        }
        const found = objects.get(key);
        if (req.method === 'GET' && found) {
          res
            .writeHead(200, { 'content-length': found.body.length, 'content-type': found.type ?? '' })
            .end(found.body);
          return;
        }
        res
          .writeHead(404, { 'content-type': 'application/xml' })
          .end('<Error><Code>NoSuchKey</Code></Error>');
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    client = new S3Client({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('stores a report file as it streams in (its length known), reads it back, and stores results', async () => {
    const archive = createS3Archive('reports-bucket', client);
    const location = await archive.storeReport('2026-03-09', 'settlement-report-1.csv', chunks(CSV));
    expect(location).toBe('s3://reports-bucket/reports/2026-03-09/settlement-report-1.csv');
    expect(objects.get('/reports-bucket/reports/2026-03-09/settlement-report-1.csv')).toEqual({
      body: Buffer.from(CSV),
      type: 'text/csv',
    });
    expect(await collect(await archive.openReport(location))).toBe(CSV);
    const result = await archive.storeResult('2026-03-09', '{"date":"2026-03-09"}');
    expect(result).toBe('s3://reports-bucket/results/2026-03-09.json');
    expect(objects.get('/reports-bucket/results/2026-03-09.json')?.body.toString()).toBe(
      '{"date":"2026-03-09"}',
    );
    // The file went up streamed with its length declared (S3 refuses a stream of unknown length).
    expect(decodedLengths).toContain(String(Buffer.byteLength(CSV)));
    expect(requests).toEqual([
      'PUT /reports-bucket/reports/2026-03-09/settlement-report-1.csv',
      'GET /reports-bucket/reports/2026-03-09/settlement-report-1.csv',
      'PUT /reports-bucket/results/2026-03-09.json',
    ]);
  });

  it('opens only files of its own bucket', async () => {
    const archive = createS3Archive('reports-bucket', client);
    await expect(archive.openReport('s3://another-bucket/reports/x.csv')).rejects.toThrow(
      'not a file of bucket',
    );
    await expect(archive.openReport('s3://reports-bucket/reports/none.csv')).rejects.toThrow();
  });
});

describe('local archive (REPORTS_DIR)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'archive-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps files under files/<date>/ and results under results/', async () => {
    const archive = createLocalArchive(dir);
    const location = await archive.storeReport('2026-03-09', 'r.csv', chunks(CSV));
    expect(location).toBe(join(dir, 'files', '2026-03-09', 'r.csv'));
    expect(readFileSync(location, 'utf8')).toBe(CSV);
    expect(await collect(await archive.openReport(location))).toBe(CSV);
    expect(readFileSync(await archive.storeResult('2026-03-09', '{}'), 'utf8')).toBe('{}');
  });
});
