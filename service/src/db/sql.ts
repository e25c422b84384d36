import { mkdirSync } from 'node:fs';
import postgres from 'postgres';

export type Sql = postgres.Sql<Record<string, never>>;
export type TransactionSql = postgres.TransactionSql<Record<string, never>>;

export interface Database {
  sql: Sql;
  /** 'server' for a real PostgreSQL, 'embedded' for PGlite behind its socket server (one connection, no LISTEN). */
  kind: 'server' | 'embedded';
  close(): Promise<void>;
}

const common = {
  onnotice: () => undefined,
  transform: { undefined: null },
  connection: { application_name: 'renewal-action-plans' },
} as const;

/** Connects to `DATABASE_URL`, or starts embedded PGlite (file-backed under `dataDir`) when it is unset. */
export async function openDatabase(opts: { url?: string; dataDir: string; poolMax: number }): Promise<Database> {
  if (opts.url) {
    const sql = postgres(opts.url, { ...common, max: opts.poolMax }) as Sql;
    return { sql, kind: 'server', close: () => sql.end({ timeout: 5 }) };
  }
  return openEmbedded(opts.dataDir);
}

/**
 * PGlite serves one connection safely, so postgres.js is limited to one (`max: 1`): queries queue in the
 * client, never in PGlite. Code must use the transaction's own `sql` inside `sql.begin`.
 */
async function openEmbedded(dataDir: string): Promise<Database> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-socket'),
  ]);
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(`${dataDir}/pglite`);
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  const sql = postgres({ ...common, host, port: Number(port), user: 'postgres', database: 'postgres', max: 1 }) as Sql;
  return {
    sql,
    kind: 'embedded',
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
      await db.close();
    },
  };
}
