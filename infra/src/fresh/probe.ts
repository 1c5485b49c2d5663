// Runs inside the fresh-machine container (see main.ts), from the project's own dist/.
//   probe.js webhook     once npm start is ready: signed webhooks must reach the SSE stream
//   probe.js leftovers   after npm start stopped: every process and listening port still there
import { readdirSync, readFileSync } from 'node:fs';
import { run as simulate } from '../../../simulator/src/cli';

const COUNT = 3;

async function webhook(): Promise<number> {
  const abort = new AbortController();
  const response = await fetch('http://127.0.0.1:5001/events', { headers: { Accept: 'text/event-stream' }, signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`GET :5001/events answered ${response.status}`);
  let tickets = 0;
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    try {
      while (tickets < COUNT) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        tickets = text.split('\n').filter((line) => line === 'event: ticket').length;
      }
    } catch {
      // aborted below
    }
  })();
  const sink = { write: () => true };
  const code = await simulate(['http://127.0.0.1:5000/webhook', 'secret', '--count', String(COUNT)], { stdout: sink, stderr: sink });
  const timer = setTimeout(() => abort.abort(), 30_000);
  await reading;
  clearTimeout(timer);
  abort.abort();
  console.log(JSON.stringify({ sent: COUNT, simulatorExit: code, ticketsOnStream: tickets }));
  return code === 0 && tickets >= COUNT ? 0 : 1;
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
(mode === 'webhook' ? webhook() : mode === 'leftovers' ? Promise.resolve(leftovers()) : Promise.reject(new Error('usage: probe.js webhook|leftovers'))).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
