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

/**
 * What jsonb would refuse in a JSON text that already parsed: strings or keys holding U+0000 or an
 * unpaired surrogate, numbers beyond numeric's limits. Applies to every event, known or not, since
 * every body is stored as jsonb. One pass over the text, naming each offending field by its path.
 *
 * `text` is the body decoded from UTF-8, so raw characters are always storable (a decoded byte
 * sequence has no lone surrogate, and a raw U+0000 is not valid JSON): only strings written with
 * escapes are decoded and checked, which keeps the common body cheap.
 */
export function unstorableJsonProblems(text: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Frame[] = [];
  const path = () => stack.map((f) => f.at).join('.');
  let i = 0;
  while (i < text.length && problems.length < MAX_PROBLEMS) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = i + 1;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(end);
        if (d === 0x5c) {
          escaped = true;
          end += 2;
        } else if (d === 0x22 || Number.isNaN(d)) break;
        else end += 1;
      }
      const top = stack[stack.length - 1];
      const isKey = top !== undefined && !top.array && top.expectKey;
      const value = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : null;
      if (isKey) {
        top.at = value ?? text.slice(i + 1, end);
        top.expectKey = false;
      }
      const problem = value === null ? null : unstorableCharacter(value);
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
      while (end < text.length && /[0-9eE+.-]/.test(text[end])) end += 1;
      const problem = unstorableNumber(text.slice(i, end));
      if (problem) problems.push({ path: path(), message: problem });
      i = end;
    } else {
      i += 1;
    }
  }
  return problems;
}
