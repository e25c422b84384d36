import postgres from 'postgres';
import { startEmbeddedPostgres } from './embedded/server.ts';

export type Sql = postgres.Sql<Record<string, never>>;
export type TransactionSql = postgres.TransactionSql<Record<string, never>>;

export interface Database {
  sql: Sql;
  /** 'server' for `DATABASE_URL`, 'embedded' for the PostgreSQL server this process runs under DATA_DIR. */
  kind: 'server' | 'embedded';
  /** The embedded server's data directory and port, and how to reach it (kind 'embedded' only; the password stays in its file). */
  embedded?: {
    pgdata: string;
    port: number;
    address: { host: string; port: number; user: string; database: string; passwordFile: string };
  };
  close(): Promise<void>;
}

const common = {
  onnotice: () => undefined,
  transform: { undefined: null },
  connection: { application_name: 'renewal-action-plans' },
} as const;

/**
 * Connects to `DATABASE_URL`, or, when it is unset, starts the embedded PostgreSQL server of `dataDir` (see
 * embedded/server.ts) and connects to it the same way: a pool of `poolMax` connections, LISTEN/NOTIFY included.
 */
export async function openDatabase(opts: { url?: string; dataDir: string; poolMax: number }): Promise<Database> {
  if (opts.url) {
    const sql = postgres(opts.url, { ...common, max: opts.poolMax }) as Sql;
    return { sql, kind: 'server', close: () => sql.end({ timeout: 5 }) };
  }
  const server = await startEmbeddedPostgres(opts.dataDir);
  const sql = postgres({ ...common, ...server.address, max: opts.poolMax }) as Sql;
  return {
    sql,
    kind: 'embedded',
    embedded: {
      pgdata: server.pgdata,
      port: server.address.port,
      address: {
        host: server.address.host,
        port: server.address.port,
        user: server.address.user,
        database: server.address.database,
        passwordFile: server.passwordFile,
      },
    },
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
    },
  };
}
