/**
 * Bundles exactly as the stack does: the esbuild flags CDK's NodejsFunction derives from BUNDLING
 * (infra/constructs/project-function.ts), through esbuild's JS API, from the repository root. The metafile
 * only feeds the size breakdown; it does not change the output.
 */
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLING } from '../infra/constructs/project-function.ts';

export const PROJECT_ROOT = join(import.meta.dirname, '..');

export interface BuiltBundle {
  /** Absolute path of the `index.mjs` written. */
  file: string;
  bytes: number;
  /** Bytes of the output by origin: each npm package, and `(project)` for the repository's own files. */
  bytesByOrigin: Record<string, number>;
}

const originOf = (input: string): string => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1]! : '(project)';
};

const bytesByOrigin = (metafile: Metafile): Record<string, number> => {
  const totals: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const origin = originOf(input);
      totals[origin] = (totals[origin] ?? 0) + bytesInOutput;
    }
  }
  return totals;
};

/** The BUNDLING options mapped below; any other one would make these bundles differ from the stack's. */
const MAPPED_OPTIONS = new Set([
  'format',
  'target',
  'minify',
  'sourceMap',
  'mainFields',
  'banner',
  'externalModules',
  'keepNames',
  'define',
  'logLevel',
  'forceDockerBundling',
]);

/**
 * `entry` is absolute or relative to the repository root; writes `<outdir>/index.mjs` as CDK does.
 * `withSourceMap` (profiling only) also writes `index.mjs.map`: the code is the same, its positions can be
 * traced back to the package or file they come from.
 */
export const bundleAsDeployed = async (
  entry: string,
  outdir: string,
  options: { withSourceMap?: boolean } = {},
): Promise<BuiltBundle> => {
  const unmapped = Object.keys(BUNDLING).filter((option) => !MAPPED_OPTIONS.has(option));
  if (unmapped.length > 0) throw new Error(`bench/bundles.ts does not map BUNDLING.${unmapped.join(', ')}`);
  const file = join(outdir, BUNDLING.format === 'esm' ? 'index.mjs' : 'index.js');
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [relative(PROJECT_ROOT, join(PROJECT_ROOT, entry))],
    bundle: true,
    platform: 'node',
    outfile: file,
    ...(BUNDLING.target !== undefined ? { target: BUNDLING.target } : {}),
    ...(BUNDLING.format !== undefined ? { format: BUNDLING.format } : {}),
    minify: BUNDLING.minify ?? false,
    sourcemap: options.withSourceMap ? true : (BUNDLING.sourceMap ?? false),
    external: [...(BUNDLING.externalModules ?? [])],
    ...(BUNDLING.banner !== undefined ? { banner: { js: BUNDLING.banner } } : {}),
    ...(BUNDLING.mainFields !== undefined ? { mainFields: [...BUNDLING.mainFields] } : {}),
    ...(BUNDLING.keepNames ? { keepNames: true } : {}),
    ...(BUNDLING.define !== undefined ? { define: BUNDLING.define } : {}),
    logLevel: 'warning',
    metafile: true,
  });
  return { file, bytes: statSync(file).size, bytesByOrigin: bytesByOrigin(result.metafile) };
};
