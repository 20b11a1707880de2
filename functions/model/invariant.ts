/**
 * A state the rules make impossible, found anyway: a bug, never the caller's error (answered 500 and
 * logged with its stack). `must` states such an expectation where the type system cannot see it, instead of
 * a non-null assertion that would let the bug run on.
 */
export class InvariantError extends Error {
  constructor(what: string) {
    super(`Invariant broken: ${what}`);
    this.name = 'InvariantError';
  }
}

export const must = <T>(value: T | null | undefined, what: string): T => {
  if (value === undefined || value === null) throw new InvariantError(what);
  return value;
};
