import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Every relative link of README.md and docs/*.md names a file or folder that exists and, with a
 * #fragment into a markdown page, one of that page's headings (GitHub's anchors).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const PAGES = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text outside fenced code blocks and inline code, where a link is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** [text](target) and [text]: target links, without external ones (a scheme, or // ) and mail. */
export function relativeLinks(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const reference = [...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]);
  return [...inline, ...reference].filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//'));
}

/** Why a link from `page` does not resolve, or undefined when it does. */
function broken(page: string, target: string): string | undefined {
  const [file, fragment] = target.split('#', 2) as [string, string | undefined];
  const resolved =
    file === '' ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), decodeURIComponent(file));
  if (!existsSync(resolved)) return `${page}: ${target}: no such file`;
  if (fragment === undefined || fragment === '') return undefined;
  if (statSync(resolved).isDirectory() || !resolved.endsWith('.md'))
    return `${page}: ${target}: a fragment into something that is not a page`;
  return anchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(fragment))
    ? undefined
    : `${page}: ${target}: no such heading`;
}

describe('links between the docs', () => {
  it('make anchors the way GitHub does', () => {
    const page =
      "# A page\n## `npm run func` (Azure Functions Core Tools)\n## The read API's questions: at 1,000!\n## Ports\n## Ports\n```\n# not a heading\n```";
    expect([...anchors(page)]).toEqual([
      'a-page',
      'npm-run-func-azure-functions-core-tools',
      'the-read-apis-questions-at-1000',
      'ports',
      'ports-1',
    ]);
  });

  it('find relative links, not external ones or code', () => {
    const page =
      'See [a](docs/a.md#x), [b](https://example.test), [c](#local), `[d](not/a/link.md)`.\n\n[e]: ../e.md\n```\n[f](g.md)\n```';
    expect(relativeLinks(page)).toEqual(['docs/a.md#x', '#local', '../e.md']);
  });

  it.each(PAGES)('%s: every relative link resolves', (page) => {
    const links = relativeLinks(readFileSync(path.join(ROOT, page), 'utf8'));
    expect(links.flatMap((target) => broken(page, target) ?? [])).toEqual([]);
  });

  it('README.md links to every page of docs/', () => {
    const linked = new Set(
      relativeLinks(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).map((target) => target.split('#')[0]),
    );
    expect(PAGES.filter((page) => page !== 'README.md' && !linked.has(page))).toEqual([]);
  });
});
