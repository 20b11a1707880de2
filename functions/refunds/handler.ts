/** The refund Lambda: POST/GET /payments/{paymentId}/refunds and GET .../refunds/{refundId}. */
import { createHttpHandler } from '../http/create-http-handler.ts';
import { loadRefundsConfig } from './config.ts';
import { refundDeps } from './deps.ts';
import { refundRoutes } from './routes.ts';

const deps = refundDeps(loadRefundsConfig());
export const handler = createHttpHandler(refundRoutes(async () => deps));
