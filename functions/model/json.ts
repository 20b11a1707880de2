/**
 * JSON as Mercado Pago writes it: some ids are bare numbers beyond 2^53 (chargeback case ids have 18 digits,
 * NOTES §3), which `JSON.parse` would round. Whole numbers that are not safe integers are kept as the digits
 * written (a string); everything else is what `JSON.parse` gives.
 */

/** The third argument of a reviver (JSON.parse source text access, Node 21+). */
interface ReviverContext {
  source?: string;
}

const DIGITS = /^-?\d+$/;

export const parseJsonKeepingBigIntegers = (text: string): unknown =>
  JSON.parse(text, (_key: string, value: unknown, context?: ReviverContext) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    DIGITS.test(context.source)
      ? context.source
      : value,
  );
