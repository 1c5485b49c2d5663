// Runs inside the fresh-machine container (see main.ts), from the project's own dist/.
//   probe.js webhook <start log>   once npm start is ready: as a user, without a key nothing is
//                                  read; the printed one-click URL logs in, and signed webhooks
//                                  reach the SSE stream through the dashboard
//   probe.js leftovers             after npm start stopped: every process and listening port still there
import { readdirSync, readFileSync } from 'node:fs';
import { run as simulate } from '../../simulator/src/cli';
import { KEY_HEADER } from '../../functions/src';
import { createSseParser } from '../harness/sse';

const COUNT = 3;

/** The printed one-click URL redeemed the way a browser does: the 303's session cookie. */
async function logIn(startLog: string): Promise<string> {
  const url = /(http:\/\/\S+\/\?token=\S+)/.exec(readFileSync(startLog, 'utf8'))?.[1];
  if (url === undefined) throw new Error(`no one-click login URL in ${startLog}`);
  const response = await fetch(url, { redirect: 'manual' });
  const session = response.headers.get('set-cookie')?.split(';')[0];
  if (response.status !== 303 || session === undefined)
    throw new Error(`the one-click URL answered ${response.status} without a session cookie`);
  return session;
}

/** What a caller without the key or the login gets: every read door must say 401. */
async function closedDoors(): Promise<Record<string, number>> {
  const doors = [
    'http://127.0.0.1:5000/api/tickets',
    'http://127.0.0.1:5001/events',
    'http://127.0.0.1:8080/api/tickets',
    'http://127.0.0.1:8080/events',
  ];
  const statuses = await Promise.all(doors.map(async (door) => (await fetch(door)).status));
  return Object.fromEntries(doors.map((door, i) => [door, statuses[i]]));
}

/** The generated API key (npm start's credentials file) opens the functions' read paths. */
async function keyReads(): Promise<number> {
  const { apiKey } = JSON.parse(readFileSync('.data/credentials.json', 'utf8')) as { apiKey: string };
  return (await fetch('http://127.0.0.1:5000/api/tickets', { headers: { [KEY_HEADER]: apiKey } })).status;
}

async function webhook(startLog: string): Promise<number> {
  const withoutKey = await closedDoors();
  const withKey = await keyReads();
  const session = await logIn(startLog);
  const abort = new AbortController();
  const response = await fetch('http://127.0.0.1:8080/events', {
    headers: { Accept: 'text/event-stream', Cookie: session },
    signal: abort.signal,
  });
  if (!response.ok || !response.body) throw new Error(`GET :8080/events with the session answered ${response.status}`);
  let tickets = 0;
  const parser = createSseParser({ event: (e) => (tickets += e.event === 'ticket' ? 1 : 0) });
  const reading = (async () => {
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    try {
      while (tickets < COUNT) {
        const { done, value } = await reader.read();
        if (done) return;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted below
    }
  })();
  const sink = { write: () => true };
  const code = await simulate(['http://127.0.0.1:5000/webhook', 'secret', '--count', String(COUNT)], {
    stdout: sink,
    stderr: sink,
  });
  const timer = setTimeout(() => abort.abort(), 30_000);
  await reading;
  clearTimeout(timer);
  abort.abort();
  console.log(JSON.stringify({ withoutKey, withKey, sent: COUNT, simulatorExit: code, ticketsOnStream: tickets }));
  const closed = Object.values(withoutKey).every((status) => status === 401);
  return closed && withKey === 200 && code === 0 && tickets >= COUNT ? 0 : 1;
}

function leftovers(): number {
  const processes = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && ![1, process.pid, process.ppid].includes(Number(entry)))
    .flatMap((pid) => {
      try {
        const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        return state === 'Z' ? [] : [`${pid} ${command}`];
      } catch {
        return [];
      }
    });
  const listening = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A')
      .map((fields) => parseInt(fields[1].split(':')[1], 16)),
  );
  console.log(JSON.stringify({ processes, listening }));
  return processes.length === 0 && listening.length === 0 ? 0 : 1;
}

const mode = process.argv[2];
(mode === 'webhook' && process.argv[3] !== undefined
  ? webhook(process.argv[3])
  : mode === 'leftovers'
    ? Promise.resolve(leftovers())
    : Promise.reject(new Error('usage: probe.js webhook <start log> | leftovers'))
).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
