import { readFileSync, readdirSync } from 'node:fs';

/** One process as /proc tells it: parent, name, and CPU used by it and by the children it reaped. */
interface ProcEntry {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime + cutime + cstime, in seconds. */
  cpuSeconds: number;
}

const TICKS_PER_SECOND = 100;

function readEntry(pid: number): ProcEntry | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // Gone between the directory listing and the read.
    return null;
  }
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  // Fields after "pid (comm) ": state ppid ... utime(14) stime(15) cutime(16) cstime(17), counted from 1 with pid.
  const fields = stat.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return { pid, ppid: Number(fields[1]), comm, cpuSeconds: ticks / TICKS_PER_SECOND };
}

function allProcesses(): ProcEntry[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readEntry(Number(name)) ?? []);
}

/** The given processes and every descendant of them, from one scan of /proc. */
function treeOf(roots: readonly number[], processes: ProcEntry[]): ProcEntry[] {
  const children = new Map<number, ProcEntry[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const found: ProcEntry[] = [];
  const queue = roots.flatMap((pid) => byPid.get(pid) ?? []);
  while (queue.length > 0) {
    const next = queue.shift() as ProcEntry;
    found.push(next);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return found;
}

/**
 * CPU seconds a process tree has used so far. Each live member counts its own time and that of
 * the children it has reaped (cutime, cstime), so a Postgres backend that exits during a run still
 * counts, through the postmaster, and nothing is counted twice.
 */
export function treeCpuSeconds(roots: readonly number[]): number {
  return treeOf(roots, allProcesses()).reduce((sum, p) => sum + p.cpuSeconds, 0);
}

/** The direct children of this process whose tree holds a process named `comm` (e.g. postgres, beam.smp). */
export function childTreesRunning(comm: RegExp): number[] {
  const processes = allProcesses();
  return processes
    .filter((p) => p.ppid === process.pid)
    .filter((child) => treeOf([child.pid], processes).some((p) => comm.test(p.comm)))
    .map((p) => p.pid);
}

/**
 * The processes measured in a run, by name: each a list of tree roots (this process is measured with process.cpuUsage).
 */
export type ProcessGroups = Record<string, readonly number[]>;

export const LOAD_GENERATOR = 'load generator';

/** CPU seconds used since `start()`, per group and for this process (the load generator). */
export class CpuMeter {
  private before = new Map<string, number>();
  private selfBefore = process.cpuUsage();

  constructor(private readonly groups: ProcessGroups) {}

  start(): this {
    this.before = new Map(Object.entries(this.groups).map(([name, roots]) => [name, treeCpuSeconds(roots)]));
    this.selfBefore = process.cpuUsage();
    return this;
  }

  /** CPU seconds per group since start(), this process under LOAD_GENERATOR. */
  read(): Record<string, number> {
    const self = process.cpuUsage(this.selfBefore);
    const used: Record<string, number> = {};
    for (const [name, roots] of Object.entries(this.groups))
      used[name] = treeCpuSeconds(roots) - (this.before.get(name) ?? 0);
    used[LOAD_GENERATOR] = (self.user + self.system) / 1e6;
    return used;
  }
}

/**
 * CPU seconds per 1,000 webhooks for each group, and `pipeline`: the sum of every group but the
 * load generator (the machine's cost of the pipeline itself).
 */
export function cpuPerThousand(used: Record<string, number>, webhooks: number): Record<string, number> {
  const per = (seconds: number) => (webhooks > 0 ? Math.round((seconds / webhooks) * 1000 * 1000) / 1000 : NaN);
  const result: Record<string, number> = {};
  let pipeline = 0;
  for (const [name, seconds] of Object.entries(used)) {
    result[name] = per(seconds);
    if (name !== LOAD_GENERATOR) pipeline += seconds;
  }
  result.pipeline = per(pipeline);
  return result;
}
