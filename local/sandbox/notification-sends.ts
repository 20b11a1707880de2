/**
 * `sendNotification` inputs of the newer topics, resolved against the sandbox's records before sending:
 * an `order` webhook carries the order's current state; chargeback notices name the case's payment and site.
 */
import type { SandboxContext } from './context.ts';
import { SandboxControlError } from './mp-errors.ts';
import type { NotificationInput } from './notification-requests.ts';
import type { DeliveryInput } from './notifier.ts';
import { orderWebhookData } from './order-json.ts';
import type { OrderAction, OrderSigning } from './topic-notifications.ts';

export type SendNotificationInput =
  | NotificationInput
  | {
      kind: 'order';
      orderId: string;
      /** Default: the action of the order's status (`order.processed`, `order.refunded`, ...). */
      action?: OrderAction;
      /** Default: the `orderWebhookSigning` setting. */
      signing?: OrderSigning;
      /** Default true (NOTES' examples). */
      tsInMilliseconds?: boolean;
      duplicate?: number;
      url?: string;
    }
  | { kind: 'chargeback'; chargebackId: string; tsInMilliseconds?: boolean; duplicate?: number; url?: string }
  | { kind: 'chargeback_ipn'; chargebackId: string; duplicate?: number; url?: string };

const ACTION_OF_STATUS: Record<string, OrderAction> = {
  processed: 'order.processed',
  canceled: 'order.canceled',
  expired: 'order.expired',
  refunded: 'order.refunded',
  charged_back: 'order.charged_back',
  action_required: 'order.action_required',
  failed: 'order.failed',
};

export const resolveSend = (ctx: SandboxContext, input: SendNotificationInput): DeliveryInput => {
  if (input.kind === 'order') {
    const order = ctx.store.orders.get(input.orderId);
    if (!order) throw new SandboxControlError(`no order ${input.orderId}`);
    const action = input.action ?? ACTION_OF_STATUS[order.status];
    if (action === undefined)
      throw new SandboxControlError(`order ${order.id} is ${order.status}: give an action`);
    const { orderId: _id, action: _action, signing, ...rest } = input;
    return {
      ...rest,
      kind: 'order',
      notice: { orderId: order.id, action, data: orderWebhookData(ctx, order) },
      signing: signing ?? ctx.settings.orderWebhookSigning,
    };
  }
  if (input.kind === 'chargeback') {
    const chargeback = ctx.store.chargebacks.get(input.chargebackId);
    if (!chargeback) throw new SandboxControlError(`no chargeback ${input.chargebackId}`);
    const { chargebackId: _id, ...rest } = input;
    return {
      ...rest,
      kind: 'chargeback',
      notice: { chargebackId: chargeback.id, paymentId: chargeback.paymentId, siteId: chargeback.siteId },
    };
  }
  return input;
};
