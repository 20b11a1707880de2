/**
 * The local server of `npm start` (local/server.ts with the four HTTP handlers, imported from source
 * after the environment is set, as at a cold start), in a process of its own, on 127.0.0.1 and an
 * ephemeral port. Prints `BENCH_SERVER_URL <url>`, then serves until SIGTERM.
 */
import { startLocalServer } from '../../local/server.ts';

const [refunds, cancellation, qrOrders, webhook] = await Promise.all([
  import('../../functions/refunds/handler.ts'),
  import('../../functions/cancellation/handler.ts'),
  import('../../functions/qr-orders/handler.ts'),
  import('../../functions/webhook/handler.ts'),
]);

const server = await startLocalServer({
  port: 0,
  host: '127.0.0.1',
  handlers: {
    refunds: refunds.handler,
    cancellation: cancellation.handler,
    'qr-orders': qrOrders.handler,
    webhook: webhook.handler,
  },
});
process.stdout.write(`BENCH_SERVER_URL ${server.url}\n`);
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
