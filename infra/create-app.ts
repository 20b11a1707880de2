/**
 * Builds the CDK app: the stack of the stage named in context, checked by cdk-nag's AwsSolutions pack
 * (a violation that is not acknowledged with a reason fails the synth). Used by app.ts and the tests.
 */

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type StackSettings, settingsFromContext } from './settings.ts';
import { RefundsStack } from './stack.ts';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const stackIdFor = (stage: string): string => `MercadoPagoRefunds-${stage}`;

export interface CreateAppOptions {
  /** Context on top of what the CDK CLI passes (cdk.json, `-c`). */
  context?: Record<string, unknown>;
  outdir?: string;
}

export interface CreatedApp {
  app: App;
  stack: RefundsStack;
  settings: StackSettings;
}

export const createApp = (options: CreateAppOptions = {}): CreatedApp => {
  const app = new App({
    ...(options.context ? { context: options.context } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const settings = settingsFromContext(app.node);
  const stack = new RefundsStack(app, stackIdFor(settings.stage), {
    settings,
    projectRoot: PROJECT_ROOT,
    description: `Mercado Pago refunds, cancellations, QR orders and notifications (${settings.stage})`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, settings };
};
