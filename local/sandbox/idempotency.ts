/**
 * `X-Idempotency-Key` as Mercado Pago processes it: a key is processed once. The same key with the same
 * request answers the stored answer (no second effect); with another request, or while the first request
 * is still running, 409. Processed answers (2xx and 4xx) are kept for 24 hours; 5xx and unprocessed requests
 * leave the key free, so a retry processes it.
 */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

type Entry =
  | { fingerprint: string; state: 'running' }
  | { fingerprint: string; state: 'done'; answer: StoredAnswer; at: number };

export type IdempotencyDecision =
  | { kind: 'new' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'running' }
  | { kind: 'mismatch' };

export const KEY_RETENTION_MS = 24 * 3_600_000;

/** The same JSON, whatever the key order and number spelling (`10` and `10.0` are one request). */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};

export class IdempotencyKeys {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  begin(key: string, fingerprint: string): IdempotencyDecision {
    const entry = this.#entries.get(key);
    if (entry?.state === 'done' && this.#now() - entry.at > KEY_RETENTION_MS) this.#entries.delete(key);
    const current = this.#entries.get(key);
    if (current === undefined) {
      this.#entries.set(key, { fingerprint, state: 'running' });
      return { kind: 'new' };
    }
    if (current.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (current.state === 'running') return { kind: 'running' };
    return { kind: 'replay', answer: current.answer };
  }

  finish(key: string, answer: StoredAnswer): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    if (answer.status >= 500) this.#entries.delete(key);
    else this.#entries.set(key, { fingerprint: entry.fingerprint, state: 'done', answer, at: this.#now() });
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }
}
