/** The cancellation Lambda: POST /payments/{paymentId}/cancellation. */
import { createHttpHandler } from '../http/create-http-handler.ts';
import { loadCancellationConfig } from './config.ts';
import { cancellationDeps } from './deps.ts';
import { cancellationRoutes } from './routes.ts';

const deps = cancellationDeps(loadCancellationConfig());
export const handler = createHttpHandler(cancellationRoutes(async () => deps));
