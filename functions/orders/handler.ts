/** The order Lambda: refunds and cancellation of Orders API orders (/orders/{orderId}/...). */
import { createHttpHandler } from '../http/create-http-handler.ts';
import { loadOrdersConfig } from './config.ts';
import { orderDeps } from './deps.ts';
import { orderRoutes } from './routes.ts';

const deps = orderDeps(loadOrdersConfig());
export const handler = createHttpHandler(orderRoutes(async () => deps));
