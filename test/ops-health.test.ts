/**
 * /livez, /healthz and /readyz against real listeners and real databases: ready when the store
 * takes a write, the listeners are bound and the disk has room; unready (503) while the database is
 * gone (a PostgreSQL schema renamed away, an SQLite file locked by another process) and ready again
 * once it is back, while /livez keeps answering.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_ADMIN_URL, postgresBackend, sqliteBackend } from './helpers/backends.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

interface Report {
  status: string;
  checks: Record<string, { ok: boolean; detail: string }>;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function gateway(env: Record<string, string> = {}, backend = sqliteBackend): Promise<TestGateway> {
  const gw = await startTestGateway(env, undefined, backend);
  cleanups.push(() => gw.stop());
  return gw;
}

async function probe(url: string): Promise<{ status: number; body: Report }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Report };
}

async function adminSql(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe('liveness', () => {
  it('/livez and its alias /healthz answer while the process runs, on HTTP and HTTPS', async () => {
    const gw = await gateway();
    for (const url of [`${gw.url}/livez`, `${gw.url}/healthz`]) {
      const { status, body } = await probe(url);
      expect(status).toBe(200);
      expect(body.status).toBe('ok');
      expect(body.checks.process?.ok).toBe(true);
    }
    expect((await gw.tlsFetch(`${gw.httpsUrl}/livez`)).status).toBe(200);
  });
});

describe('readiness', () => {
  it('is ready with every check passing and says what it checked', async () => {
    const gw = await gateway();
    const { status, body } = await probe(`${gw.url}/readyz`);
    expect(status).toBe(200);
    expect(body.status).toBe('ready');
    expect(body.checks.store).toEqual({ ok: true, detail: 'written and read back' });
    expect(body.checks.disk?.ok).toBe(true);
    expect(body.checks.disk?.detail).toMatch(/^\d+ MB free, at least 100 MB required/);
    expect(body.checks.listeners).toEqual({ ok: true, detail: 'listening: http, https, smtp' });
    expect((await gw.tlsFetch(`${gw.httpsUrl}/readyz`)).status).toBe(200);
  });

  it('is unready when the data directory has less free space than MAILGATE_READY_MIN_FREE_MB', async () => {
    // 100 TB: more than this machine's disk.
    const gw = await gateway({ MAILGATE_READY_MIN_FREE_MB: '100000000' });
    const { status, body } = await probe(`${gw.url}/readyz`);
    expect(status).toBe(503);
    expect(body.status).toBe('unready');
    expect(body.checks.disk?.ok).toBe(false);
    expect(body.checks.disk?.detail).toContain('at least 100000000 MB required');
    expect(body.checks.store?.ok).toBe(true);
    expect((await probe(`${gw.url}/livez`)).status).toBe(200);
  });

  it('is unready while the PostgreSQL schema is gone, and ready again when it is back', async () => {
    const gw = await gateway({}, postgresBackend);
    const schema = /search_path=(\w+)/.exec(decodeURIComponent(gw.databaseEnv.MAILGATE_DATABASE_URL ?? ''))?.[1] as string;
    expect(schema).toMatch(/^mgtest_/);
    expect((await probe(`${gw.url}/readyz`)).status).toBe(200);

    await adminSql(`ALTER SCHEMA ${schema} RENAME TO ${schema}_away`);
    try {
      const gone = await probe(`${gw.url}/readyz`);
      expect(gone.status).toBe(503);
      expect(gone.body.checks.store?.ok).toBe(false);
      expect(gone.body.checks.store?.detail).toMatch(/does not exist/);
      expect(gone.body.checks.listeners?.ok).toBe(true);
      expect((await probe(`${gw.url}/livez`)).status).toBe(200);
    } finally {
      await adminSql(`ALTER SCHEMA ${schema}_away RENAME TO ${schema}`);
    }
    const back = await probe(`${gw.url}/readyz`);
    expect(back.status).toBe(200);
    expect(back.body.checks.store?.ok).toBe(true);
  });

  it('is unready while another process holds the SQLite file locked, and ready again after', async () => {
    const gw = await gateway();
    const other = new Database(path.join(gw.dataDir, 'mailgate.sqlite'));
    try {
      other.exec('BEGIN IMMEDIATE');
      const locked = await probe(`${gw.url}/readyz`);
      expect(locked.status).toBe(503);
      expect(locked.body.checks.store?.ok).toBe(false);
      // The write waits for the lock on the event loop, so the probe's own 3 s limit answers first.
      expect(locked.body.checks.store?.detail).toBe('the store did not answer within 3000 ms');
      // Meanwhile the process goes on answering: the wait does not block its thread.
      expect((await probe(`${gw.url}/livez`)).status).toBe(200);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect((await probe(`${gw.url}/readyz`)).status).toBe(200);
  });
});
