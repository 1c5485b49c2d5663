import { readEnv } from '../../functions/src';

/**
 * Generated parts of a markdown page sit between `<!-- name -->` and `<!-- /name -->`; the rest of
 * the page is written by hand. npm run bench:tables and npm run docs:config write through these.
 */
function bounds(text: string, name: string, file: string): { start: number; end: number } {
  const [open, close] = [`<!-- ${name} -->`, `<!-- /${name} -->`];
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`${file} has no ${open} ... ${close} block`);
  return { start: start + open.length, end };
}

/** The text between the markers, without the line breaks that frame it. */
export function readBlock(text: string, name: string, file: string): string {
  const { start, end } = bounds(text, name, file);
  return text.slice(start, end).replace(/^\n/, '').replace(/\n$/, '');
}

/** The page with the text between the markers replaced by `body`. */
export function replaceBlock(text: string, name: string, body: string, file: string): string {
  const { start, end } = bounds(text, name, file);
  return `${text.slice(0, start)}\n${body}\n${text.slice(end)}`;
}

/** Prose re-flowed to lines of at most `width` columns (a word longer than that stands alone). */
export function wrap(text: string, width = 100): string {
  return readEnv.wrapWords(text, width).join('\n');
}
