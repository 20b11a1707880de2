/**
 * Runs the Mercado Pago sandbox on its own: `npm run sandbox` (Node 24; PORT, default 3100).
 * Optional: SANDBOX_ACCESS_TOKEN, SANDBOX_WEBHOOK_SECRET, SANDBOX_USER_ID, SANDBOX_NOTIFICATION_URL.
 */
import { decimalsOf } from '../../functions/model/money.ts';
import { startSandbox } from './index.ts';

const port = Number(process.env.PORT ?? 3100);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`PORT must be a port number, got "${process.env.PORT}"\n`);
  process.exit(1);
}

const sandbox = await startSandbox({
  port,
  ...(process.env.SANDBOX_ACCESS_TOKEN ? { accessToken: process.env.SANDBOX_ACCESS_TOKEN } : {}),
  ...(process.env.SANDBOX_WEBHOOK_SECRET ? { webhookSecret: process.env.SANDBOX_WEBHOOK_SECRET } : {}),
  ...(process.env.SANDBOX_USER_ID ? { userId: process.env.SANDBOX_USER_ID } : {}),
  ...(process.env.SANDBOX_NOTIFICATION_URL ? { notificationUrl: process.env.SANDBOX_NOTIFICATION_URL } : {}),
  log: (line) => process.stdout.write(`[sandbox] ${line}\n`),
});

const out = process.stdout;
out.write(`Mercado Pago sandbox: ${sandbox.url}\n`);
out.write(
  `  MP_API_BASE_URL=${sandbox.url}  (token: Authorization: Bearer <SANDBOX_ACCESS_TOKEN or the default>)\n`,
);
out.write(`  user id ${sandbox.userId}; controls: ${sandbox.url}/__sandbox\n\n`);
for (const payment of sandbox.demoPayments()) {
  const money = `${payment.amount.toFixed(decimalsOf(payment.currency))} ${payment.currency}`.padEnd(15);
  out.write(
    `  ${payment.id}  ${money} ${`${payment.status}/${payment.statusDetail}`.padEnd(33)} ${payment.description}\n`,
  );
}

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
