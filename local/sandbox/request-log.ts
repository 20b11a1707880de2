/** What the sandbox received (Mercado Pago API requests only, not `/__sandbox` controls), for tests. */
import type { IncomingHttpHeaders } from 'node:http';

export type RequestFault = 'refused' | 'dropped' | 'status' | 'lost_answer';

export interface SandboxRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; `authorization` is redacted (see `tokenValid`). */
  headers: Record<string, string>;
  tokenValid: boolean;
  idempotencyKey: string | null;
  /** Value of `X-Render-In-Process-Refunds`, when sent. */
  renderInProcessRefunds: string | null;
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  latencyMs: number;
  fault: RequestFault | null;
  /** Status the sandbox answered (or would have, for `lost_answer`); null when it did not answer. */
  responseStatus: number | null;
}

export interface RequestFilter {
  method?: string;
  path?: RegExp | string;
}

const flatHeaders = (headers: IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = name === 'authorization' ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
};

const bodyOf = (raw: string): unknown => {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};

export class RequestLog {
  #entries: SandboxRequest[] = [];

  record(input: {
    at: number;
    method: string;
    url: URL;
    headers: IncomingHttpHeaders;
    rawBody: string;
    tokenValid: boolean;
  }): SandboxRequest {
    const headers = flatHeaders(input.headers);
    const entry: SandboxRequest = {
      at: input.at,
      method: input.method,
      path: input.url.pathname,
      query: Object.fromEntries(input.url.searchParams),
      headers,
      tokenValid: input.tokenValid,
      idempotencyKey: headers['x-idempotency-key'] ?? null,
      renderInProcessRefunds: headers['x-render-in-process-refunds'] ?? null,
      body: bodyOf(input.rawBody),
      latencyMs: 0,
      fault: null,
      responseStatus: null,
    };
    this.#entries.push(entry);
    return entry;
  }

  list(filter: RequestFilter = {}): SandboxRequest[] {
    const path = typeof filter.path === 'string' ? new RegExp(filter.path) : filter.path;
    return this.#entries
      .filter(
        (e) =>
          (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
          (!path || path.test(e.path)),
      )
      .map((e) => structuredClone(e));
  }

  clear(): void {
    this.#entries = [];
  }
}
