/** The reconciliation Lambda, run on a schedule (EventBridge rule): settles what notifications missed. */
import type { Context } from 'aws-lambda';
import { TIMING } from '../config/timing.ts';
import { invocationOf } from '../runtime/invocation.ts';
import { loadReconcileConfig } from './config.ts';
import { reconcileDeps } from './deps.ts';
import { type ReconcileReport, runReconcile } from './run.ts';

const deps = reconcileDeps(loadReconcileConfig());
export const handler = async (_event: unknown, context: Context): Promise<ReconcileReport> =>
  runReconcile(deps, invocationOf(context, deps.clock, TIMING.reconcileMarginMs, { job: 'reconcile' }));
