import * as amqp from 'amqplib';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { loadConfig, readEnv, verifySignature } from '../../functions/src';
import { BARE_SERVER_VARIABLES } from './support';

/**
 * The benchmark's reference point, not part of the product: the same durable work as POST /webhook
 * (verify, store with one INSERT per request and its own commit, publish with a confirm) on bare
 * node:http + pg + amqplib, without the Functions programming model, validation or batching.
 */
async function main(): Promise<void> {
  const env = process.env;
  const config = loadConfig(env);
  const pool = new Pool({ connectionString: config.databaseUrl, max: 20 });
  await pool.query(`CREATE TABLE IF NOT EXISTS bare_event (id bigserial PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now(),
    event_type text NOT NULL, body_sha256 char(64) NOT NULL UNIQUE, payload jsonb NOT NULL, published_at timestamptz)`);
  const connection = await amqp.connect(config.rabbitmqUrl);
  const channel = await connection.createConfirmChannel();
  const exchange = `${readEnv.read(env, BARE_SERVER_VARIABLES.PETZI_TOPOLOGY_PREFIX)}.bare`;
  await channel.assertExchange(exchange, 'topic', { durable: true, autoDelete: true });
  const secrets = config.secrets.slice(0, 1);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        try {
          verifySignature({
            header: req.headers['petzi-signature'] as string | undefined,
            body,
            secrets,
            toleranceSeconds: 300,
          });
        } catch {
          res.writeHead(401, { 'Content-Length': 0 }).end();
          return;
        }
        const text = body.toString('utf8');
        const event = (JSON.parse(text) as { event: string }).event;
        const { rows } = await pool.query<{ id: string }>(
          'INSERT INTO bare_event (event_type, body_sha256, payload) VALUES ($1, $2, $3) RETURNING id',
          [event, createHash('sha256').update(body).digest('hex'), text],
        );
        const id = rows[0].id;
        const reply = JSON.stringify({ status: 'success', id: Number(id) });
        res
          .writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(reply) })
          .end(reply);
        channel.publish(exchange, event, body, { persistent: true, messageId: id }, (error: unknown) => {
          if (!error) void pool.query('UPDATE bare_event SET published_at = now() WHERE id = $1', [id]);
        });
      })().catch(() => res.writeHead(500, { 'Content-Length': 0 }).end());
    });
  });
  server.listen(readEnv.read(env, BARE_SERVER_VARIABLES.PORT), '127.0.0.1', () => {
    console.log(`bare server listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void channel
      .close()
      .then(() => connection.close())
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
