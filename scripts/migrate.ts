/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded PostgreSQL server under DATA_DIR). */
import { ConfigError, loadConfig } from '../service/src/config.ts';
import { migrate } from '../service/src/db/migrate.ts';
import { openDatabase } from '../service/src/db/sql.ts';

try {
  const { env } = loadConfig();
  const db = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolMax: 1 });
  try {
    const applied = await migrate(db.sql);
    console.log(applied.length ? `Applied ${applied.join(', ')}` : 'Database schema is current');
  } finally {
    await db.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Migration failed: ${(err as Error).message}`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
