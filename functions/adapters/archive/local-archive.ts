/** Locally (REPORTS_DIR): report files under `<dir>/files/<date>/`, results as `<dir>/results/<date>.json`. */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReportArchive } from '../../ports/reconciliation-store.ts';

export const createLocalArchive = (dir: string): ReportArchive => {
  const root = resolve(dir);
  return {
    async storeReport(date, fileName, body) {
      const folder = join(root, 'files', date);
      await mkdir(folder, { recursive: true });
      const path = join(folder, fileName);
      const partial = `${path}.partial`;
      await pipeline(Readable.from(body), createWriteStream(partial));
      await rename(partial, path);
      return path;
    },
    async openReport(location) {
      return createReadStream(location);
    },
    async storeResult(date, json) {
      const folder = join(root, 'results');
      await mkdir(folder, { recursive: true });
      const path = join(folder, `${date}.json`);
      await writeFile(path, json);
      return path;
    },
  };
};
