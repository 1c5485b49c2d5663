/** The body of `location <path> { ... }` in an nginx config (blocks without nested braces). */
export function locationBlock(config: string, path: string): string {
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`location\\s+(?:=\\s+)?${escaped}\\s*\\{([^{}]*)\\}`).exec(config);
  if (!match) throw new Error(`no "location ${path}" block`);
  return match[1];
}

/** Every `name value;` directive in a block, as name → values (a directive may repeat). */
export function directives(block: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const statement of block.split(';')) {
    const line = statement
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join(' ')
      .trim();
    if (line === '') continue;
    const [name, ...rest] = line.split(/\s+/);
    found.set(name, [...(found.get(name) ?? []), rest.join(' ')]);
  }
  return found;
}
