import type * as z from 'zod/mini';
import { type FieldProblem, ProblemError } from './problems.ts';

type Issue = z.core.$ZodIssue;

/** zod/mini ships no messages (its default is "Invalid input"): these say what is wrong, briefly. */
const DEFAULT_MESSAGE = 'Invalid input';

const quantity = (count: number | bigint, unit: string): string =>
  `${count} ${unit}${count === 1 ? '' : 's'}`;

const withArticle = (noun: string): string => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/** What the input holds at an issue's path (zod does not report inputs unless asked). */
const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown => {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
};

const messageOf = (issue: Issue, input: unknown): string => {
  if (issue.message && issue.message !== DEFAULT_MESSAGE) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(input, issue.path) === undefined) return 'is required';
      return `must be ${withArticle(issue.expected === 'int' ? 'integer' : issue.expected)}`;
    case 'too_small':
      if (issue.origin === 'string')
        return issue.minimum === 1
          ? 'must not be empty'
          : `must be at least ${quantity(issue.minimum, 'character')}`;
      if (issue.origin === 'array') return `must have at least ${quantity(issue.minimum, 'item')}`;
      return issue.inclusive ? `must be at least ${issue.minimum}` : `must be greater than ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${quantity(issue.maximum, 'character')}`;
      if (issue.origin === 'array') return `must have at most ${quantity(issue.maximum, 'item')}`;
      return issue.inclusive ? `must be at most ${issue.maximum}` : `must be less than ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_format':
      return 'has an invalid format';
    default:
      return 'is not valid';
  }
};

/** A field's name in answers: its path joined with dots (`items.0.title`), or `location` for the value itself. */
export const fieldOf = (path: readonly PropertyKey[], location: string): string =>
  path.length === 0 ? location : path.map(String).join('.');

/** Every problem of a failed parse; an unknown field is one problem per key, named as such. */
export const fieldProblems = (issues: readonly Issue[], input: unknown, location: string): FieldProblem[] =>
  issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          field: fieldOf([...issue.path, key], location),
          message: 'unknown field',
        }))
      : [{ field: fieldOf(issue.path, location), message: messageOf(issue, input) }],
  );

const SHOWN_IN_DETAIL = 3;

/** 400 VALIDATION_ERROR listing every problem, the first few also in its detail. */
export const validationProblem = (errors: FieldProblem[]): ProblemError => {
  const shown = errors.slice(0, SHOWN_IN_DETAIL).map((e) => `${e.field}: ${e.message}`);
  const more = errors.length > SHOWN_IN_DETAIL ? ` (and ${errors.length - SHOWN_IN_DETAIL} more)` : '';
  return new ProblemError('VALIDATION_ERROR', `${shown.join('; ')}${more}`, { errors });
};

/**
 * Parses `value` with a zod/mini schema, or throws 400 VALIDATION_ERROR listing every problem.
 * `location` names the value when the problem is the value itself (`body`, `paymentId`, `Idempotency-Key`).
 */
export const parseWith = <T>(schema: z.ZodMiniType<T>, value: unknown, location: string): T => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationProblem(fieldProblems(result.error.issues, value, location));
};

/** A request body; no body is `{}` (API.md: they are the same request). Use z.strictObject schemas. */
export const parseBody = <T>(schema: z.ZodMiniType<T>, body: unknown): T =>
  parseWith(schema, body === undefined ? {} : body, 'body');
