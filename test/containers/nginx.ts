/** The body of `location <path> { ... }` (or `location = <path>`) in an nginx config, nested blocks included. */
export function locationBlock(config: string, path: string): string {
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const start = new RegExp(`location\\s+(?:=\\s+)?${escaped}\\s*\\{`).exec(config);
  if (!start) throw new Error(`no "location ${path}" block`);
  const open = start.index + start[0].length;
  let depth = 1;
  for (let i = open; i < config.length; i++) {
    if (config[i] === '{') depth++;
    if (config[i] === '}' && --depth === 0) return config.slice(open, i);
  }
  throw new Error(`"location ${path}" is not closed`);
}

/** The entries of `map <source> <variable> { ... }`: pattern → value, in order. */
export function mapEntries(config: string, source: string, variable: string): Array<[string, string]> {
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`map\\s+${escaped(source)}\\s+${escaped(variable)}\\s*\\{([^{}]*)\\}`).exec(config);
  if (!match) throw new Error(`no "map ${source} ${variable}" block`);
  return match[1]
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const entry = /^(\S+)\s+(\S+);$/.exec(line);
      if (!entry) throw new Error(`unreadable map entry "${line}"`);
      return [entry[1], entry[2]];
    });
}

/** Every `name value;` directive in a block, as name → values (a directive may repeat). */
export function directives(block: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  // Nested blocks (limit_except, if) are not this block's directives: each becomes an empty statement.
  let flat = block;
  for (
    let inner = flat.replace(/[^;{}]*\{[^{}]*\}/g, ';');
    inner !== flat;
    inner = flat.replace(/[^;{}]*\{[^{}]*\}/g, ';')
  )
    flat = inner;
  for (const statement of flat.split(';')) {
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
