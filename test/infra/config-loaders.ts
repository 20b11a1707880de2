/** Each function's configuration loader (not-found reads only LOG_LEVEL, through the root logger). */
import { loadCancellationConfig } from '../../functions/cancellation/config.ts';
import { checkLogLevel, type Env } from '../../functions/config/fields.ts';
import { loadEventPublisherConfig } from '../../functions/event-publisher/config.ts';
import { loadProcessorConfig } from '../../functions/notification-processor/config.ts';
import { loadOpsConfig } from '../../functions/ops/config.ts';
import { loadOrdersConfig } from '../../functions/orders/config.ts';
import { loadQrOrdersConfig } from '../../functions/qr-orders/config.ts';
import { loadReconcileConfig } from '../../functions/reconcile/config.ts';
import { loadRefundsConfig } from '../../functions/refunds/config.ts';
import { loadReportsConfig } from '../../functions/reports/config.ts';
import { loadReportsJobConfig } from '../../functions/reports-job/config.ts';
import { loadWebhookConfig } from '../../functions/webhook/config.ts';
import type { FunctionId } from '../../infra/access.ts';

export const CONFIG_LOADERS: Record<FunctionId, (env: Env) => unknown> = {
  refunds: loadRefundsConfig,
  cancellation: loadCancellationConfig,
  orders: loadOrdersConfig,
  'qr-orders': loadQrOrdersConfig,
  webhook: loadWebhookConfig,
  ops: loadOpsConfig,
  'notification-processor': loadProcessorConfig,
  reconcile: loadReconcileConfig,
  reports: loadReportsConfig,
  'reports-job': loadReportsJobConfig,
  'not-found': checkLogLevel,
  'event-publisher': loadEventPublisherConfig,
};

/**
 * Loads `functionId`'s configuration from a synthesized environment (CloudFormation references become
 * plausible values of their kind) and answers the variables it was given but never read. Throws when the
 * loader refuses the environment.
 */
export const unreadVariables = (functionId: FunctionId, environment: Record<string, unknown>): string[] => {
  const plausible = (name: string, value: unknown): string => {
    if (typeof value === 'string') return value;
    if (name.endsWith('_SECRET_ARN')) return 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf';
    if (name.endsWith('_URL')) return 'https://example.com/x';
    return 'resolved-at-deploy';
  };
  const variables: Record<string, string> = Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, plausible(name, value)]),
  );
  const read = new Set<string>();
  const env = new Proxy(variables, {
    get: (target, name) => {
      if (typeof name === 'string') read.add(name);
      return typeof name === 'string' ? target[name] : undefined;
    },
  });
  CONFIG_LOADERS[functionId](env);
  // The Powertools service name is read by the metrics, not by a loader.
  return Object.keys(variables).filter((name) => !read.has(name) && name !== 'POWERTOOLS_SERVICE_NAME');
};
