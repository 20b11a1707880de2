/**
 * A small JSON Schema (2020-12) validator for the keywords the OpenAPI document uses, with `$ref`s into the
 * document. No validator package is installed; an unknown keyword throws, so a schema this does not
 * understand fails the test instead of passing unchecked.
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(['description', 'format', 'title', 'examples', 'default']);

const typeOf = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

const hasType = (value: unknown, type: string): boolean => {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
};

/** `#/components/schemas/Refund` in `document`. */
export const resolvePointer = (document: unknown, pointer: string): unknown => {
  if (!pointer.startsWith('#/')) throw new Error(`only local $refs are supported: ${pointer}`);
  let current = document;
  for (const part of pointer.slice(2).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof current !== 'object' || current === null || !(key in current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
};

/** The problems of `value` against `schema` (empty when valid), each as `path: message`. */
export const validate = (document: unknown, schema: Schema, value: unknown, path = '$'): string[] => {
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${path}: ${message}`);
  for (const [keyword, expected] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    switch (keyword) {
      case '$ref': {
        const target = resolvePointer(document, expected as string);
        if (typeof target !== 'object' || target === null) throw new Error(`unresolved $ref ${expected}`);
        errors.push(...validate(document, target as Schema, value, path));
        break;
      }
      case 'type': {
        const types = [expected].flat() as string[];
        if (!types.some((type) => hasType(value, type))) fail(`is ${typeOf(value)}, not ${types.join('|')}`);
        break;
      }
      case 'enum':
        if (!(expected as unknown[]).includes(value)) fail(`${JSON.stringify(value)} is not in the enum`);
        break;
      case 'const':
        if (value !== expected) fail(`is not ${JSON.stringify(expected)}`);
        break;
      case 'anyOf': {
        const branches = expected as Schema[];
        if (!branches.some((branch) => validate(document, branch, value, path).length === 0))
          fail('matches no anyOf branch');
        break;
      }
      case 'properties':
        if (hasType(value, 'object')) {
          for (const [name, inner] of Object.entries(expected as Record<string, Schema>)) {
            const field = (value as Record<string, unknown>)[name];
            if (field !== undefined) errors.push(...validate(document, inner, field, `${path}.${name}`));
          }
        }
        break;
      case 'required':
        if (hasType(value, 'object')) {
          for (const name of expected as string[]) if (!(name in (value as object))) fail(`misses ${name}`);
        }
        break;
      case 'additionalProperties':
        if (hasType(value, 'object')) {
          const known = Object.keys((schema.properties as object | undefined) ?? {});
          for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
            if (known.includes(name)) continue;
            if (expected === false) fail(`has unknown field ${name}`);
            else errors.push(...validate(document, expected as Schema, field, `${path}.${name}`));
          }
        }
        break;
      case 'items':
        if (Array.isArray(value))
          value.forEach((item, i) => {
            errors.push(...validate(document, expected as Schema, item, `${path}[${i}]`));
          });
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (expected as number)) fail(`has < ${expected} items`);
        break;
      case 'minLength':
      case 'maxLength':
        if (typeof value === 'string') {
          const length = [...value].length;
          if (keyword === 'minLength' ? length < (expected as number) : length > (expected as number))
            fail(`length ${length} breaks ${keyword} ${expected}`);
        }
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(expected as string, 'u').test(value))
          fail(`does not match ${expected}`);
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof value === 'number') {
          const limit = expected as number;
          const ok = {
            minimum: value >= limit,
            maximum: value <= limit,
            exclusiveMinimum: value > limit,
            exclusiveMaximum: value < limit,
          }[keyword];
          if (!ok) fail(`${value} breaks ${keyword} ${limit}`);
        }
        break;
      case 'multipleOf':
        // Decimal divisors (0.01) in binary floating point: compare with a tolerance, as validators do.
        if (typeof value === 'number') {
          const quotient = value / (expected as number);
          if (Math.abs(quotient - Math.round(quotient)) > 1e-7)
            fail(`${value} is not a multiple of ${expected}`);
        }
        break;
      default:
        throw new Error(`json-schema.ts does not know the keyword "${keyword}" (at ${path})`);
    }
  }
  return errors;
};
