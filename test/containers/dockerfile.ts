/** A just-enough Dockerfile reader for static checks: stages, their instructions, COPY operands. */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The FROM image. */
  image: string;
  /** `AS <name>`, if any. */
  name?: string;
  instructions: Instruction[];
}

export interface CopyOperands {
  from?: string;
  sources: string[];
  destination: string;
}

/** Joins `\` continuations, drops comments and blank lines, splits into stages at each FROM. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  if (pending !== '') logical.push(pending.trim());

  const stages: Stage[] = [];
  // ARGs before the first FROM may name the base images (`FROM ${NODE_IMAGE}`): their defaults apply.
  const globalArgs = new Map<string, string>();
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1].toUpperCase();
    const args = match[2].trim();
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = args.split('=', 2);
      globalArgs.set(name, value);
      continue;
    }
    if (keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`unreadable FROM line: ${line}`);
      const image = from[1].replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_, braced: string | undefined, bare: string | undefined) => {
          const name = braced ?? bare ?? '';
          const value = globalArgs.get(name);
          if (value === undefined || value === '')
            throw new Error(`FROM uses $${name}, which has no default ARG before the first FROM`);
          return value;
        },
      );
      stages.push({ image, name: from[2], instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`${keyword} before any FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

/** COPY's flags, sources and destination (shell form or JSON-array form). */
function copyOperands(args: string): CopyOperands {
  let rest = args.trim();
  let from: string | undefined;
  for (let flag = /^--(\S+?)=(\S+)\s+/.exec(rest); flag; flag = /^--(\S+?)=(\S+)\s+/.exec(rest)) {
    if (flag[1] === 'from') from = flag[2];
    rest = rest.slice(flag[0].length);
  }
  const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  if (parts.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: parts.slice(0, -1), destination: parts[parts.length - 1] };
}

export function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

export function copies(stage: Stage): CopyOperands[] {
  return instructions(stage, 'COPY').map(copyOperands);
}

/** The CMD/ENTRYPOINT exec form as an argv array. */
export function execForm(args: string): string[] {
  return JSON.parse(args) as string[];
}
