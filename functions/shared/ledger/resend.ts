/**
 * When a Mercado Pago write whose outcome is unknown may be sent again with its own key: only shortly after the
 * first attempt (how long Mercado Pago remembers a key is not documented: later, the payment is read, never
 * re-sent) and a bounded number of times.
 */
export const RESEND_WINDOW_MS = 10 * 60_000;

export const MAX_SEND_ATTEMPTS = 5;
