/**
 * Mercado Pago's error bodies, read defensively: `{"message","error","status","cause":[{"code","description",
 * "data"}]}` where `status` and `code` may be numbers or strings, `cause` may be missing, a single object or
 * use `message` instead of `description`, and a gateway in front may answer HTML; the Orders API's
 * `{"errors":[{"code","message","details"}]}` is read into the same fields. Never throws.
 */

export interface ParsedErrorBody {
  /** `cause[].code` values as strings, e.g. `["2006"]`. */
  causeCodes: string[];
  /** `message` and the causes' descriptions, for logs and message-based mapping; never shown to callers. */
  upstreamMessage: string | undefined;
  /** The short `error` name, e.g. `bad_request`, `point_of_sale_in_store_order_not_found`. */
  errorName: string | undefined;
}

const MAX_MESSAGE_CHARS = 500;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
};

const oneLine = (value: string): string => value.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE_CHARS);

export const parseErrorBody = (body: string): ParsedErrorBody => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const raw = oneLine(body);
    return { causeCodes: [], upstreamMessage: raw || undefined, errorName: undefined };
  }
  if (!isRecord(json)) {
    return { causeCodes: [], upstreamMessage: oneLine(body) || undefined, errorName: undefined };
  }

  const causes: unknown[] = [
    ...(Array.isArray(json.cause) ? json.cause : json.cause === undefined ? [] : [json.cause]),
    // The Orders API's shape: its codes are words (`order_not_found`), read like cause codes.
    ...(Array.isArray(json.errors) ? json.errors : []),
  ];
  const causeCodes: string[] = [];
  const messages: string[] = [];
  const addMessage = (value: unknown) => {
    const message = text(value);
    if (message && !messages.includes(message)) messages.push(message);
  };

  addMessage(json.message);
  for (const cause of causes) {
    if (isRecord(cause)) {
      const code = text(cause.code);
      if (code && !causeCodes.includes(code)) causeCodes.push(code);
      addMessage(cause.description);
      addMessage(cause.message);
    } else {
      addMessage(cause);
    }
  }
  const errorName = text(json.error);
  if (messages.length === 0 && errorName) messages.push(errorName);

  return {
    causeCodes,
    upstreamMessage: messages.length > 0 ? oneLine(messages.join(' | ')) : undefined,
    errorName,
  };
};
