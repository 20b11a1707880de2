/** Opaque page cursors of the operations lists: base64url JSON of where the last page ended. */
import * as z from 'zod/mini';
import { ProblemError } from '../http/problems.ts';

export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export const decodeCursor = <T>(schema: z.ZodMiniType<T>, cursor: string | undefined): T | undefined => {
  if (cursor === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new ProblemError('VALIDATION_ERROR', 'cursor: is not a cursor this service gave', {
      errors: [{ field: 'cursor', message: 'is not a cursor this service gave' }],
    });
  return parsed.data;
};

export const PAGE_SIZE = 100;

export const sinceKeySchema = z.object({ since: z.string(), key: z.string() });
