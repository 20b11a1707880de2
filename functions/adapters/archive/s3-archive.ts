/**
 * In AWS (REPORTS_BUCKET): report files at `reports/<date>/<file name>`, results at `results/<date>.json`.
 * A file streams to the function's /tmp first (its length must be known to S3), then up, then the local copy
 * goes: memory holds one chunk at a time whatever the file's size.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ReportArchive } from '../../ports/reconciliation-store.ts';

let shared: S3Client | undefined;
const defaultClient = (): S3Client => {
  shared ??= new S3Client({});
  return shared;
};

const PREFIX = 's3://';

export const createS3Archive = (bucket: string, client: S3Client = defaultClient()): ReportArchive => ({
  async storeReport(date, fileName, body) {
    const dir = await mkdtemp(join(tmpdir(), 'report-'));
    const path = join(dir, fileName);
    try {
      await pipeline(Readable.from(body), createWriteStream(path));
      const { size } = await stat(path);
      const key = `reports/${date}/${fileName}`;
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: createReadStream(path),
          ContentLength: size,
          ContentType: 'text/csv',
        }),
      );
      return `${PREFIX}${bucket}/${key}`;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },

  async openReport(location) {
    if (!location.startsWith(`${PREFIX}${bucket}/`))
      throw new Error(`not a file of bucket ${bucket}: ${location}`);
    const key = location.slice(`${PREFIX}${bucket}/`.length);
    const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = result.Body;
    if (!(body instanceof Readable)) throw new Error(`the object ${key} has no readable body`);
    return body;
  },

  async storeResult(date, json) {
    const key = `results/${date}.json`;
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: json, ContentType: 'application/json' }),
    );
    return `${PREFIX}${bucket}/${key}`;
  },
});
