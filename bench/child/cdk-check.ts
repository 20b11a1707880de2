/**
 * The check of cdk-assets.ts in a process of its own, so that it runs while the bench counts calls (cost and
 * end-to-end phases, where CPU does not matter) rather than adding its minute of synthesis to the run.
 * Usage: node cdk-check.ts <bundles.json> <result.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { BuiltBundle } from '../bundles.ts';
import { compareWithCdkAssets } from '../cdk-assets.ts';
import type { FunctionId } from '../subjects.ts';

const [bundlesFile, resultFile] = process.argv.slice(2) as [string, string];
const bundles = JSON.parse(readFileSync(bundlesFile, 'utf8')) as Partial<Record<FunctionId, BuiltBundle>>;
writeFileSync(resultFile, JSON.stringify(compareWithCdkAssets(bundles)));
