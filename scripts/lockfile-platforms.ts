/**
 * Puts back in package-lock.json the platform packages of Biome that `npm install` leaves out when the registry
 * it talks to lacks them (this workplace's npm mirror has only Linux builds). Without them `npm ci` refuses the
 * lock as out of sync; with them it installs the one for this platform and skips the others as optional.
 * Run after any `npm install`: `npm run lockfile:fix`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface LockEntry {
  version: string;
  optionalDependencies?: Record<string, string>;
  [key: string]: unknown;
}

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages: Record<string, LockEntry> };
const biome = lock.packages['node_modules/@biomejs/biome'];
if (!biome?.optionalDependencies) throw new Error('package-lock.json has no @biomejs/biome entry');

const PLATFORM = /^@biomejs\/cli-(win32|darwin|linux|android)-(x64|arm64)(-musl)?$/;
let added = 0;
for (const [name, version] of Object.entries(biome.optionalDependencies)) {
  const key = `node_modules/${name}`;
  const match = PLATFORM.exec(name);
  if (lock.packages[key] || !match) continue;
  lock.packages[key] = {
    version,
    cpu: [match[2]!],
    dev: true,
    ...(match[1] === 'linux' ? { libc: [match[3] ? 'musl' : 'glibc'] } : {}),
    license: 'MIT OR Apache-2.0',
    optional: true,
    os: [match[1]!],
    engines: { node: '>=14.21.3' },
  };
  added++;
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`package-lock.json: ${added} Biome platform entries added\n`);
