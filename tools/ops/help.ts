import { readEnv } from '../../functions/src';
import { OPS_VARIABLES } from './connect';

/** The --help texts of `npm run ops`. */

const GENERAL = `Operate the PETZI pipeline from a shell: the delivery log, dead letters, redrive and replay.
Works on Postgres and RabbitMQ directly, so it works while the functions host is down.

Usage: npm run ops -- <command> [options]        (npm run ops -- <command> --help for its options)

Commands
  deliveries     the delivery log: every request to /webhook, newest first
  dead-letters   what the relay gave up on (waiting by default)
  redrive        put dead letters back on the relay queue, from Postgres
  replay         re-publish stored webhooks of a range to the relay (idempotent)

Where it connects
${readEnv.variablesHelp(OPS_VARIABLES)}

Exit codes
  0 done   1 unexpected failure   2 bad command line (the message names the option)
  3 Postgres or RabbitMQ unreachable   4 unknown dead letter id(s), nothing redriven
`;

const TOPICS: Record<string, string> = {
  deliveries: `Usage: npm run ops -- deliveries [--outcome WORD] [--status CODE] [--from ISO] [--to ISO] [--limit N] [--cursor C] [--json]

  --outcome   stored, duplicate, or a refusal reason (signature_mismatch, schema, payload_too_large, ...)
  --status    the HTTP status answered (100-599)
  --from/--to received-at range, ISO 8601 with an offset (2026-11-30T14:00:00Z); to is exclusive
  --limit     1-500, default 100; the last line gives the --cursor of the next page
  --json      one JSON object (the API's reply) instead of a table
`,
  'dead-letters': `Usage: npm run ops -- dead-letters [--state waiting|redriven|all] [--limit N] [--cursor C] [--json]
`,
  redrive: `Usage: npm run ops -- redrive <dead letter id>... | --all [--json]

  Re-publishes the stored webhooks of these dead letters (or of every waiting one) to the relay
  queue and marks them redriven. One that fails again comes back as a new dead letter.
`,
  replay: `Usage: npm run ops -- replay [--from-id N] [--to-id N] [--from ISO] [--to ISO] [--rebuild] [--quiet] [--json]

  Re-publishes the stored webhooks of an id range (inclusive) and/or a received-at range (to
  exclusive) to the relay queue; without a range, all of them. Idempotent: a webhook already
  relayed keeps its seq and no dashboard shows it twice. --rebuild first recomputes the ticket
  projection from webhook_event. A progress bar is drawn on stderr (--quiet: none).
`,
};

export function helpText(topic?: string): string {
  return topic && TOPICS[topic] ? TOPICS[topic] : GENERAL;
}
