/**
 * Delivers notifications. Changes (refund created or settled, cancellation, status change, QR payment,
 * merchant order closed or expired) are delivered asynchronously, never delaying the API answer, when
 * notifications are enabled and a URL is set; a failed delivery (network error, timeout, non-2xx) is logged
 * and retried after each of `retryDelaysMs`. `send` (tests) delivers once per copy and reports each answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChangeListener, SandboxSettings } from './context.ts';
import { FIRST_NOTIFICATION_ID, IdSequence } from './ids.ts';
import { SandboxControlError } from './mp-errors.ts';
import type { PaymentAction } from './notification-requests.ts';
import {
  buildNotification,
  type NotificationInput,
  notificationUrl,
  type OutgoingNotification,
} from './notification-requests.ts';
import {
  buildTopicNotification,
  type ChargebackNotice,
  describeTopic,
  type OrderNotice,
  type ReportNotice,
  type TopicNotificationInput,
} from './topic-notifications.ts';

/** Anything the notifier sends: payment and merchant order notices, and the newer topics. */
export type DeliveryInput = NotificationInput | TopicNotificationInput;

export interface NotificationDelivery {
  at: number;
  url: string;
  kind: DeliveryInput['kind'];
  automatic: boolean;
  requestId: string | null;
  headers: Record<string, string>;
  body: string;
  attempts: number;
  /** HTTP status of the last attempt; null when it got no answer. */
  status: number | null;
  error: string | null;
}

export interface NotifierOptions {
  settings: SandboxSettings;
  now: () => number;
  log: (line: string) => void;
  url: string | undefined;
  enabled: boolean;
  retryDelaysMs: number[];
  /** Mercado Pago waits 22 s for an answer. */
  timeoutMs: number;
  /** The sandbox's own URL (report files are linked from report notices). */
  apiBaseUrl: () => string;
}

export class Notifier implements ChangeListener {
  url: string | undefined;
  enabled: boolean;
  readonly #options: NotifierOptions;
  readonly #deliveries: NotificationDelivery[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  readonly #closing = new AbortController();
  readonly #ids = new IdSequence(FIRST_NOTIFICATION_ID);

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.url = options.url;
    this.enabled = options.enabled;
  }

  paymentChanged(paymentId: string, action: PaymentAction): void {
    this.#auto({ kind: 'signed', paymentId, action });
  }

  merchantOrderChanged(merchantOrderId: string): void {
    this.#auto({ kind: 'merchant_order', merchantOrderId });
  }

  orderChanged(notice: OrderNotice): void {
    const signing = this.#options.settings.orderWebhookSigning;
    this.#auto({ kind: 'order', notice, signing });
  }

  chargebackChanged(notice: ChargebackNotice): void {
    const how = this.#options.settings.chargebackNotifications;
    if (how !== 'ipn') this.#auto({ kind: 'chargeback', notice });
    if (how !== 'webhook') this.#auto({ kind: 'chargeback_ipn', chargebackId: notice.chargebackId });
  }

  reportReady(notice: ReportNotice): void {
    this.#auto({ kind: 'report', notice });
  }

  /** Sends one notification (and `duplicate` identical copies), one attempt each, whether enabled or not. */
  async send(input: DeliveryInput): Promise<NotificationDelivery[]> {
    const base = input.url ?? this.url;
    if (base === undefined)
      throw new SandboxControlError('no notification URL: set notificationUrl or pass url');
    const copies = 1 + (input.duplicate ?? 0);
    if (!Number.isInteger(copies) || copies < 1)
      throw new SandboxControlError('duplicate must be a whole number');
    const outgoing = this.#build(input);
    const deliveries: NotificationDelivery[] = [];
    for (let copy = 0; copy < copies; copy++) {
      const delivery = this.#record(input, outgoing, base, false);
      await this.#track(this.#attempt(outgoing, delivery));
      deliveries.push({ ...delivery });
    }
    return deliveries;
  }

  deliveries(): NotificationDelivery[] {
    return this.#deliveries.map((d) => ({ ...d, headers: { ...d.headers } }));
  }

  /** Resolves once every delivery under way (retries included) has finished. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  close(): void {
    this.#closing.abort();
  }

  #auto(input: DeliveryInput): void {
    const what =
      input.kind === 'merchant_order'
        ? `merchant order ${input.merchantOrderId}`
        : 'paymentId' in input
          ? `payment ${input.paymentId}`
          : describeTopic(input);
    if (!this.enabled || this.url === undefined || this.#closing.signal.aborted) {
      if (this.url !== undefined)
        this.#options.log(`notification for ${what} not sent: notifications disabled`);
      return;
    }
    const outgoing = this.#build(input);
    const delivery = this.#record(input, outgoing, this.url, true);
    this.#track(this.#deliverWithRetries(outgoing, delivery, what));
  }

  async #deliverWithRetries(outgoing: OutgoingNotification, delivery: NotificationDelivery, what: string) {
    // Let the API answer go out first.
    await sleep(0);
    const delays = this.#options.retryDelaysMs;
    for (let attempt = 0; ; attempt++) {
      if (this.#closing.signal.aborted) return;
      if (await this.#attempt(outgoing, delivery)) return;
      const problem = delivery.error ?? `HTTP ${delivery.status}`;
      const delay = delays[attempt];
      if (delay === undefined) {
        this.#options.log(`notification for ${what} failed after ${delivery.attempts} attempts: ${problem}`);
        return;
      }
      this.#options.log(`notification for ${what} failed (${problem}); retrying in ${delay} ms`);
      try {
        await sleep(delay, undefined, { signal: this.#closing.signal });
      } catch {
        return;
      }
    }
  }

  /** One POST; true when answered 2xx. */
  async #attempt(outgoing: OutgoingNotification, delivery: NotificationDelivery): Promise<boolean> {
    delivery.attempts += 1;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: outgoing.headers,
        body: outgoing.body,
        signal: AbortSignal.any([this.#closing.signal, AbortSignal.timeout(this.#options.timeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      delivery.status = response.status;
      delivery.error = null;
      return response.ok;
    } catch (error) {
      delivery.status = null;
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      delivery.error = `${error instanceof Error ? error.message : String(error)}${cause}`;
      return false;
    }
  }

  #build(input: DeliveryInput): OutgoingNotification {
    const signing = {
      secret: this.#options.settings.webhookSecret,
      userId: this.#options.settings.userId,
      nowMs: this.#options.now(),
      notificationId: this.#ids.next(),
    };
    if (input.kind === 'merchant_order' || 'paymentId' in input) return buildNotification(input, signing);
    return buildTopicNotification(input, { ...signing, apiBaseUrl: this.#options.apiBaseUrl() });
  }

  #record(
    input: DeliveryInput,
    outgoing: OutgoingNotification,
    base: string,
    automatic: boolean,
  ): NotificationDelivery {
    const delivery: NotificationDelivery = {
      at: this.#options.now(),
      url: notificationUrl(base, outgoing.query),
      kind: input.kind,
      automatic,
      requestId: outgoing.requestId,
      headers: outgoing.headers,
      body: outgoing.body,
      attempts: 0,
      status: null,
      error: null,
    };
    this.#deliveries.push(delivery);
    return delivery;
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise)).catch(() => undefined);
    return promise;
  }
}
