/**
 * Synthesizes the app into a temporary directory for tests. Bundling is skipped unless asked for (it is the
 * slow part, and only bundles.test.ts needs real bundles): the template is the same but for asset hashes.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import type { FunctionId } from '../../infra/access.ts';
import { createApp } from '../../infra/create-app.ts';
import type { RefundsStack } from '../../infra/stack.ts';

export interface Synthesized {
  stack: RefundsStack;
  assembly: cxapi.CloudAssembly;
  template: Template;
  outdir: string;
  functionLogicalId: (functionId: FunctionId) => string;
  logicalIdOf: (construct: IConstruct) => string;
  cleanup: () => void;
}

export const synthesize = (
  context: Record<string, unknown> = {},
  options: { bundle?: boolean } = {},
): Synthesized => {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-test-'));
  const { app, stack } = createApp({
    context: { ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
    outdir,
  });
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
  const logicalIdOf = (construct: IConstruct): string => {
    const resource = construct.node.defaultChild ?? construct;
    return stack.getLogicalId(resource as CfnElement);
  };
  return {
    stack,
    assembly,
    template,
    outdir,
    logicalIdOf,
    functionLogicalId: (functionId) => logicalIdOf(stack.functions.byId[functionId].function),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
};

export type CfnResource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };

/** The resources of one type, by logical id. */
export const resourcesOf = (template: Template, type: string): Record<string, CfnResource> =>
  template.findResources(type) as Record<string, CfnResource>;
