/** The shape of a Mercado Pago endpoint the sandbox serves, and the answers routes share. */
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxContext } from './context.ts';
import type { Answer } from './http-io.ts';
import type { MpErrorBody } from './mp-errors.ts';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface RouteInput {
  params: string[];
  request: ApiRequest;
  body: unknown;
}

export interface Route {
  method: string;
  pattern: RegExp;
  idempotencyKey: 'required' | 'optional' | 'ignored';
  /**
   * Keys are remembered per scope: the Orders API keeps one set per endpoint (create, cancel, refund), so a
   * key used to create an order may also cancel it. Default: one scope for the Payments endpoints.
   */
  idempotencyScope?: string;
  run(ctx: SandboxContext, input: RouteInput): Answer;
}

export const errorAnswer = (body: MpErrorBody, headers: Record<string, string> = {}): Answer => ({
  status: body.status,
  body,
  headers,
});

export const simpleError = (status: number, error: string, message: string): Answer =>
  errorAnswer({ message, error, status, cause: [] });
