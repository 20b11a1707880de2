/**
 * The human form of a log entry, for a developer's console (`npm start`, scripts, tests): one line of time,
 * level, message and key=value fields, then the stack of an error line, indented. Nothing in it can move
 * the cursor or split the line: control characters are escaped, whatever the fields hold.
 */

/** Longer values are cut: the line must stay readable (LOG_FORMAT=json has everything). */
const MAX_VALUE_CHARS = 300;
const BARE = /^[A-Za-z0-9_.:/@{}#+-]+$/;
const LABEL = { debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR' } as const;

const isControl = (unit: number): boolean => unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f);

/** C0, DEL and C1 as `\uXXXX` (JSON.stringify leaves DEL and C1 as they are). */
const printable = (text: string): string => {
  let out = '';
  for (const char of text) {
    const unit = char.charCodeAt(0);
    out += isControl(unit) ? `\\u${unit.toString(16).padStart(4, '0')}` : char;
  }
  return out;
};

const cut = (text: string): string =>
  text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}...` : text;

const valueText = (value: unknown): string => {
  if (typeof value === 'string') return BARE.test(value) ? cut(value) : printable(cut(JSON.stringify(value)));
  if (typeof value === 'object' && value !== null) return printable(cut(JSON.stringify(value)));
  return String(value);
};

export const prettyLine = (
  time: Date,
  level: keyof typeof LABEL,
  message: string,
  fields: Readonly<Record<string, unknown>>,
  stack: string | undefined,
): string => {
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${printable(key)}=${valueText(value)}`);
  const line = [time.toISOString().slice(11, 23), LABEL[level], printable(message), ...pairs].join(' ');
  if (stack === undefined) return line;
  const frames = stack.split('\n').slice(1);
  return [line, ...frames.map((frame) => `    ${printable(frame.trim())}`)].join('\n');
};
