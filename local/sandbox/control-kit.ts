/** What the `/__sandbox` control routes share: their shape, strict body parsing and answers. */
import * as z from 'zod/mini';
import type { Answer } from './http-io.ts';
import { SandboxControlError } from './mp-errors.ts';
import type { Sandbox } from './sandbox-api.ts';

export interface ControlRequest {
  params: string[];
  body: unknown;
  url: URL;
}

export interface ControlRoute {
  method: string;
  pattern: RegExp;
  summary: string;
  run(sandbox: Sandbox, request: ControlRequest): Answer | Promise<Answer>;
}

export const parse = <T>(schema: z.ZodMiniType<T>, body: unknown): T => {
  const result = z.safeParse(schema, body ?? {});
  if (!result.success) throw new SandboxControlError(z.prettifyError(result.error));
  return result.data;
};

export const ok = (body: unknown, status = 200): Answer => ({ status, body });
export const notFound = (what: string): Answer => ({ status: 404, body: { error: `${what} not found` } });
