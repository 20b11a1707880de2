/**
 * Fault injection for the next N requests matching a method and a path regex (`/__sandbox` controls are
 * never matched). A request takes at most one latency fault and one terminal fault (status, drop,
 * loseAnswer), the oldest armed first. Refusing connections is not here: it acts before any request is
 * read (see server.ts).
 */
import { SandboxControlError } from './mp-errors.ts';

export interface FaultMatch {
  /** HTTP method, any case; default any. */
  method?: string;
  /** Regex (or its source) tested against the path without the query; default any. */
  path?: RegExp | string;
  /** How many matching requests it applies to; default 1. */
  times?: number;
}

export type TerminalFault =
  | { kind: 'status'; status: number; body: unknown; headers: Record<string, string> }
  | { kind: 'drop' }
  | { kind: 'loseAnswer' };

type ArmedFault = {
  method: string | undefined;
  path: RegExp | undefined;
  pathText: string | null;
  remaining: number;
} & ({ kind: 'latency'; ms: number } | TerminalFault);

export interface FaultsForRequest {
  latencyMs: number;
  terminal: TerminalFault | undefined;
}

export interface ArmedFaultView {
  kind: string;
  method: string | null;
  path: string | null;
  remaining: number;
}

export class FaultPlan {
  #armed: ArmedFault[] = [];

  arm(match: FaultMatch, fault: { kind: 'latency'; ms: number } | TerminalFault): void {
    const times = match.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new SandboxControlError('times must be a positive integer');
    }
    const pathText =
      match.path === undefined ? null : typeof match.path === 'string' ? match.path : match.path.source;
    this.#armed.push({
      ...fault,
      method: match.method?.toUpperCase(),
      path: match.path === undefined ? undefined : pathRegex(match.path),
      pathText,
      remaining: times,
    });
  }

  take(method: string, path: string): FaultsForRequest {
    const matches = (fault: ArmedFault) =>
      (fault.method === undefined || fault.method === method.toUpperCase()) &&
      (fault.path === undefined || fault.path.test(path));
    const latency = this.#armed.find((f) => f.kind === 'latency' && matches(f));
    const terminal = this.#armed.find((f) => f.kind !== 'latency' && matches(f));
    for (const fault of [latency, terminal]) if (fault) fault.remaining -= 1;
    this.#armed = this.#armed.filter((f) => f.remaining > 0);
    return {
      latencyMs: latency?.kind === 'latency' ? latency.ms : 0,
      terminal: terminal && terminal.kind !== 'latency' ? terminalOf(terminal) : undefined,
    };
  }

  list(): ArmedFaultView[] {
    return this.#armed.map((f) => ({
      kind: f.kind,
      method: f.method ?? null,
      path: f.pathText,
      remaining: f.remaining,
    }));
  }

  reset(): void {
    this.#armed = [];
  }
}

/** A copy without the stateful `g`/`y` flags, so every test starts from the beginning. */
const pathRegex = (path: RegExp | string): RegExp => {
  try {
    return typeof path === 'string'
      ? new RegExp(path)
      : new RegExp(path.source, path.flags.replace(/[gy]/g, ''));
  } catch {
    throw new SandboxControlError(`path is not a regular expression: ${String(path)}`);
  }
};

const terminalOf = (fault: ArmedFault): TerminalFault => {
  if (fault.kind === 'status')
    return { kind: 'status', status: fault.status, body: fault.body, headers: fault.headers };
  if (fault.kind === 'drop') return { kind: 'drop' };
  return { kind: 'loseAnswer' };
};
