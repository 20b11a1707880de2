/**
 * Why a refund or cancellation was refused or failed, as the model names it. The HTTP layer answers each
 * with the problem of the same code (API.md); the model itself knows nothing of HTTP.
 */
export const RefusalCode = {
  PaymentNotFound: 'PAYMENT_NOT_FOUND',
  PaymentChargedBack: 'PAYMENT_CHARGED_BACK',
  PaymentInMediation: 'PAYMENT_IN_MEDIATION',
  PaymentNotRefundable: 'PAYMENT_NOT_REFUNDABLE',
  RefundWindowExpired: 'REFUND_WINDOW_EXPIRED',
  RefundLimitReached: 'REFUND_LIMIT_REACHED',
  AmountExceedsRefundable: 'AMOUNT_EXCEEDS_REFUNDABLE',
  PartialRefundNotSupported: 'PARTIAL_REFUND_NOT_SUPPORTED',
  InsufficientBalance: 'INSUFFICIENT_BALANCE',
  RefundRejected: 'REFUND_REJECTED',
  UpstreamError: 'UPSTREAM_ERROR',
  PaymentNotCancellable: 'PAYMENT_NOT_CANCELLABLE',
  InPersonPaymentNotCancellable: 'IN_PERSON_PAYMENT_NOT_CANCELLABLE',
  OrderNotFound: 'ORDER_NOT_FOUND',
  OrderNotRefundable: 'ORDER_NOT_REFUNDABLE',
  OrderNotCancellable: 'ORDER_NOT_CANCELLABLE',
  TransactionRequired: 'TRANSACTION_REQUIRED',
} as const;
export type RefusalCode = (typeof RefusalCode)[keyof typeof RefusalCode];

/** A refusal or failure: its code and a sentence for the caller. */
export interface Failure {
  code: RefusalCode;
  detail: string;
}
