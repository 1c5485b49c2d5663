import type { FieldProblem } from './schema';
import { unstorableCharacter, unstorableNumber } from './storable';

interface Frame {
  array: boolean;
  /** The current key (objects) or index (arrays), as the path shows it. */
  at: string;
  index: number;
  expectKey: boolean;
}

const MAX_PROBLEMS = 20;

/** The only escapes that can make a string unstorable: \u0000 and surrogates (\uD800-\uDFFF). */
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;
/** Numbers jsonb may refuse are long or carry an exponent; short plain ones are always stored. */
const SUSPECT_NUMBER = /\d[eE]|\d{200}/;
const LONG_NUMBER = 200;

/**
 * What jsonb would refuse in a JSON text that already parsed: strings or keys holding U+0000 or an
 * unpaired surrogate, numbers beyond numeric's limits. Applies to every event, known or not, since
 * every body is stored as jsonb. Names each offending field by its path.
 *
 * `text` is the body decoded from UTF-8, so raw characters are always storable (a decoded byte
 * sequence has no lone surrogate, and a raw U+0000 is not valid JSON): only strings with a
 * \u0000 or \uD8xx-\uDFxx escape are decoded and checked. A body with neither such an escape nor
 * a suspect number is not scanned at all.
 */
export function unstorableJsonProblems(text: string): FieldProblem[] {
  if (!SUSPECT_ESCAPE.test(text) && !SUSPECT_NUMBER.test(text)) return [];
  const problems: FieldProblem[] = [];
  const stack: Frame[] = [];
  const path = () => stack.map((f) => f.at).join('.');
  let i = 0;
  while (i < text.length && problems.length < MAX_PROBLEMS) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = stringEnd(text, i);
      const raw = text.slice(i + 1, end);
      const top = stack[stack.length - 1];
      const isKey = top !== undefined && !top.array && top.expectKey;
      const escaped = raw.includes('\\');
      const value =
        escaped && (isKey || SUSPECT_ESCAPE.test(raw)) ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
      if (isKey) {
        top.at = value;
        top.expectKey = false;
      }
      const problem = escaped ? unstorableCharacter(value) : null;
      if (problem) problems.push({ path: path(), message: isKey ? `key ${problem}` : problem });
      i = end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      const array = c === 0x5b;
      stack.push({ array, at: array ? '0' : '', index: 0, expectKey: !array });
      i += 1;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      i += 1;
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top?.array) {
        top.index += 1;
        top.at = String(top.index);
      } else if (top) top.expectKey = true;
      i += 1;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      let exponent = false;
      for (; end < text.length; end += 1) {
        const d = text.charCodeAt(end);
        if (d === 0x65 || d === 0x45) exponent = true;
        else if (!((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x2b || d === 0x2d)) break;
      }
      const problem = exponent || end - i >= LONG_NUMBER ? unstorableNumber(text.slice(i, end)) : null;
      if (problem) problems.push({ path: path(), message: problem });
      i = end;
    } else {
      i += 1;
    }
  }
  return problems;
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  // A quote preceded by an odd run of backslashes is escaped: look further.
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}
