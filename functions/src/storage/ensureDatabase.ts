import { Client } from 'pg';

/**
 * Creates the database named in the URL when the server says it does not exist (SQLSTATE 3D000),
 * so a fresh Postgres works without a manual CREATE DATABASE. Needs the CREATEDB right; without it
 * the original error stands.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    if ((error as { code?: unknown }).code !== '3D000') throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = new Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    // Another process created it meanwhile: fine.
    if ((error as { code?: unknown }).code !== '42P04') throw error;
  } finally {
    await admin.end();
  }
  return true;
}
