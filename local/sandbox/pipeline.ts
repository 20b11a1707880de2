/**
 * Every request: refused (socket destroyed unread) while the listener refuses; `/__sandbox` controls go to
 * their router; Mercado Pago requests are logged, then the armed faults decide: `drop` destroys the socket
 * without processing, `status` answers the injected status without processing, `loseAnswer` processes fully
 * and then destroys the socket instead of answering. Latency is waited before processing.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultPlan } from './faults.ts';
import { BodyTooLargeError, readBody, writeAnswer } from './http-io.ts';
import { type ApiDeps, handleApiRequest, hasValidToken } from './mp-api.ts';
import { injectedErrorBody } from './mp-errors.ts';
import type { RequestLog } from './request-log.ts';

export interface PipelineDeps {
  api: ApiDeps;
  faults: FaultPlan;
  requests: RequestLog;
  isRefusing(): boolean;
  control(req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string): Promise<void>;
  /** Aborted when the sandbox closes: pending latencies end at once. */
  closing: AbortSignal;
  log(line: string): void;
}

export const CONTROL_PREFIX = '/__sandbox';

const isControl = (url: URL) =>
  url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`);

const once = (run: () => Promise<void>): (() => Promise<void>) => {
  let started: Promise<void> | undefined;
  return () => {
    started ??= run();
    return started;
  };
};

export const createRequestHandler = (deps: PipelineDeps): RequestListener => {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const now = deps.api.ctx.now();
    const tokenValid = hasValidToken(deps.api.ctx, req.headers);
    if (deps.isRefusing() && !isControl(url)) {
      const entry = deps.requests.record({
        at: now,
        method,
        url,
        headers: req.headers,
        rawBody: '',
        tokenValid,
      });
      entry.fault = 'refused';
      req.socket.destroy();
      return;
    }
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) writeAnswer(res, { status: 413, body: injectedErrorBody(413) });
      else req.socket.destroy();
      return;
    }
    if (isControl(url)) {
      await deps.control(req, res, url, rawBody);
      return;
    }

    const entry = deps.requests.record({ at: now, method, url, headers: req.headers, rawBody, tokenValid });
    const faults = deps.faults.take(method, url.pathname);
    entry.latencyMs = faults.latencyMs;
    const wait = once(async () => {
      if (faults.latencyMs > 0) await sleep(faults.latencyMs, undefined, { signal: deps.closing });
    });
    const terminal = faults.terminal;
    if (terminal?.kind === 'drop') {
      await wait();
      entry.fault = 'dropped';
      req.socket.destroy();
      return;
    }
    if (terminal?.kind === 'status') {
      await wait();
      entry.fault = 'status';
      entry.responseStatus = terminal.status;
      if (typeof terminal.body === 'string') {
        // e.g. an HTML error page from a proxy in front of the API.
        const type = terminal.body.trimStart().startsWith('<') ? 'text/html' : 'text/plain';
        res.writeHead(terminal.status, {
          'content-type': `${type}; charset=utf-8`,
          'x-request-id': randomUUID(),
          ...terminal.headers,
        });
        res.end(terminal.body);
      } else {
        writeAnswer(res, {
          status: terminal.status,
          body: terminal.body ?? injectedErrorBody(terminal.status),
          headers: terminal.headers,
        });
      }
      return;
    }

    const answer = await handleApiRequest(
      deps.api,
      { method, path: url.pathname, query: url.searchParams, headers: req.headers, rawBody },
      wait,
    );
    entry.responseStatus = answer.status;
    if (terminal?.kind === 'loseAnswer') {
      entry.fault = 'lost_answer';
      req.socket.destroy();
      return;
    }
    if (!res.destroyed) writeAnswer(res, answer);
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!deps.closing.aborted) {
        deps.log(
          `sandbox request failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      req.socket.destroy();
    });
  };
};
