/**
 * What JSON.parse lets through silently and a request body must not carry (API.md, Conventions):
 * - a key twice in one object (`{"amount":1,"amount":1000}`): JSON.parse keeps the last, a proxy or a log
 *   reader may keep the first, and the two would see different requests;
 * - strings (values or keys) with control characters (C0, DEL, C1: ANSI escapes among them) or unpaired
 *   surrogates, which JSON allows escaped (`\u001b`, `\ud800`) and which break logs, terminals and
 *   Mercado Pago's side.
 * A scan of the text rather than a parser: JSON.parse still builds the value (fast, and exactly as before),
 * this only reports where the text breaks those rules. A few dozen lines instead of a package: bundle size is
 * cold start.
 */

export type JsonPath = readonly (string | number)[];

export interface JsonTextProblem {
  /** Where the problem is: the duplicated key's path, the string's path, or the object holding a bad key. */
  path: JsonPath;
  message: string;
}

/** Enough to say what is wrong; a body full of duplicates must not make a huge answer. */
export const MAX_JSON_TEXT_PROBLEMS = 20;

type Flaw = 'control' | 'surrogate';

const VALUE_MESSAGE: Record<Flaw, string> = {
  control: 'must not contain control characters',
  surrogate: 'must not contain unpaired surrogates',
};
const KEY_MESSAGE: Record<Flaw, string> = {
  control: 'must not have field names with control characters',
  surrogate: 'must not have field names with unpaired surrogates',
};
const DUPLICATE_KEY = 'is given more than once';
/** Stands for a key that is itself refused, so that field names in answers and logs stay printable. */
const BAD_KEY = '(invalid field name)';

const isControl = (unit: number): boolean => unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f);

/** The rule a decoded string breaks, if any. */
const flawOf = (value: string): Flaw | undefined => {
  for (let i = 0; i < value.length; i++) if (isControl(value.charCodeAt(i))) return 'control';
  return value.isWellFormed() ? undefined : 'surrogate';
};

const ESCAPED: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

type Frame = { kind: 'object'; seen: Map<string, number> } | { kind: 'array'; index: number };

/**
 * The problems of a JSON text that JSON.parse accepted (its grammar is trusted, not checked again), in
 * document order, at most `limit`. Iterative, so deep nesting cannot overflow the stack.
 */
export const strictJsonProblems = (text: string, limit = MAX_JSON_TEXT_PROBLEMS): JsonTextProblem[] => {
  const problems: JsonTextProblem[] = [];
  const path: (string | number)[] = [];
  const stack: Frame[] = [];
  let i = 0;

  const report = (at: JsonPath, message: string) => {
    if (problems.length < limit) problems.push({ path: [...at], message });
  };

  const skipWhitespace = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      i++;
    }
  };

  /** Decodes the string starting at the quote at `i`, leaving `i` after its closing quote. */
  const readString = (): string => {
    i++;
    let value = '';
    let start = i;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        value += text.slice(start, i);
        i++;
        return value;
      }
      if (c === 0x5c) {
        value += text.slice(start, i);
        const escaped = text[i + 1] ?? '';
        if (escaped === 'u') {
          value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          value += ESCAPED[escaped] ?? escaped;
          i += 2;
        }
        start = i;
        continue;
      }
      i++;
    }
    return value + text.slice(start);
  };

  /** Reads `"key":` of the object on top of the stack and makes it the last step of `path`. */
  const readKey = (seen: Map<string, number>) => {
    skipWhitespace();
    const key = readString();
    const flaw = flawOf(key);
    if (flaw) report(path, KEY_MESSAGE[flaw]);
    path.push(flaw ? BAD_KEY : key);
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count === 2) report(path, DUPLICATE_KEY);
    skipWhitespace();
    i++; // the colon
  };

  /** After a value: closes the containers it ends, and steps to the next element or key. */
  const afterValue = (): boolean => {
    for (;;) {
      skipWhitespace();
      const frame = stack.at(-1);
      if (frame === undefined || i >= text.length) return false;
      const c = text[i++];
      path.pop();
      if (c === ',') {
        if (frame.kind === 'array') path.push(++frame.index);
        else readKey(frame.seen);
        return true;
      }
      stack.pop(); // `]` or `}`
    }
  };

  while (problems.length < limit) {
    skipWhitespace();
    if (i >= text.length) break;
    const c = text[i];
    if (c === '{' || c === '[') {
      i++;
      skipWhitespace();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++;
        if (!afterValue()) break;
        continue;
      }
      if (c === '{') {
        const frame: Frame = { kind: 'object', seen: new Map() };
        stack.push(frame);
        readKey(frame.seen);
      } else {
        stack.push({ kind: 'array', index: 0 });
        path.push(0);
      }
    } else {
      if (c === '"') {
        const flaw = flawOf(readString());
        if (flaw) report(path, VALUE_MESSAGE[flaw]);
      } else {
        // A number, true, false or null: up to the next delimiter.
        i++;
        while (i < text.length && !',]} \n\r\t'.includes(text.charAt(i))) i++;
      }
      if (!afterValue()) break;
    }
  }
  return problems;
};
