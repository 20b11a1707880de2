/**
 * The check that bundles.ts bundles exactly as the stack does: synthesizes the app with local bundling
 * (CDK runs esbuild itself) and compares each function's asset with the bench's bundle, byte for byte. The
 * same template gives the table as deployed (keys, indexes, projections): what DynamoDB bills index writes
 * by, set against the table the bench creates (local/dynamodb.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { FUNCTION_ENTRIES } from '../functions/routes.ts';
import { createApp } from '../infra/create-app.ts';
import type { BuiltBundle } from './bundles.ts';
import { schemaFromDescription } from './dynamo-proxy.ts';
import type { TableSchema } from './dynamo-usage.ts';
import type { FunctionId } from './subjects.ts';

export interface AssetCheck {
  function: FunctionId;
  identical: boolean;
  cdkBytes: number;
  benchBytes: number;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Context the stack needs to synthesize every function (qr-orders needs a collector and a store). */
const SYNTH_CONTEXT = { mpUserId: '123456789', mpExternalStoreId: 'STORE_1' };

interface TemplateResource {
  Type?: string;
  Properties?: { Code?: { S3Key?: string } } & Parameters<typeof schemaFromDescription>[0];
}

export const compareWithCdkAssets = (
  bundles: Partial<Record<FunctionId, BuiltBundle>>,
): { checks: AssetCheck[]; tables: TableSchema[] } => {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-cdk-'));
  try {
    const { app, stack } = createApp({ context: SYNTH_CONTEXT, outdir });
    const template = app.synth().getStackArtifact(stack.artifactId).template as {
      Resources: Record<string, TemplateResource>;
    };
    const tables = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::DynamoDB::Table')
      .map((resource) => schemaFromDescription(resource.Properties ?? {}));
    const checks = (Object.keys(FUNCTION_ENTRIES) as FunctionId[]).flatMap((id) => {
      const bundle = bundles[id];
      if (!bundle) return [];
      const logicalId = stack.getLogicalId(stack.functions.byId[id].function.node.defaultChild as CfnElement);
      const key = template.Resources[logicalId]?.Properties?.Code?.S3Key;
      if (!key) throw new Error(`no asset for ${id} in the synthesized template`);
      const asset = readFileSync(join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'));
      const mine = readFileSync(bundle.file);
      return [
        {
          function: id,
          identical: sha256(asset) === sha256(mine),
          cdkBytes: asset.length,
          benchBytes: mine.length,
        },
      ];
    });
    return { checks, tables };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};
