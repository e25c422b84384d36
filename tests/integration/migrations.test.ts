import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { checksumOf, migrate, migrationFiles, migrationsCurrent } from '../../service/src/db/migrate.ts';
import type { Sql } from '../../service/src/db/sql.ts';
import { freshDatabase } from '../../testkit/database.ts';

describe('migrations', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('apply once when several instances start at the same time', async () => {
    const db = await freshDatabase({ migrate: false });
    cleanups.push(() => db.drop());
    const instances = Array.from({ length: 4 }, () => postgres(db.url, { max: 2, onnotice: () => undefined }) as Sql);
    cleanups.unshift(async () => void (await Promise.all(instances.map((s) => s.end()))));
    const results = await Promise.all(instances.map((s) => migrate(s)));
    expect(results.flat()).toEqual(migrationFiles().map((m) => m.name));
    expect(await migrationsCurrent(db.sql)).toBe(true);
    const rows = await db.sql`SELECT version FROM schema_migrations`;
    expect(rows).toHaveLength(migrationFiles().length);
  });

  it('create the documented workflow_tasks columns and indexes', async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.drop());
    const cols = await db.sql<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }[]>`
      SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_name = 'workflow_tasks'`;
    const col = (name: string) => cols.find((c) => c.column_name === name)!;
    expect(col('auto_execute')).toMatchObject({ data_type: 'boolean', column_default: 'false' });
    expect(col('processor')).toMatchObject({ data_type: 'character varying', is_nullable: 'YES' });
    expect(col('execution_status').is_nullable).toBe('YES');
    expect(col('execution_result')).toMatchObject({ data_type: 'jsonb', is_nullable: 'YES' });
    expect(col('executed_at')).toMatchObject({ data_type: 'timestamp without time zone', is_nullable: 'YES' });
    expect(col('parent_task_id')).toMatchObject({ data_type: 'uuid', is_nullable: 'YES' });
    expect(col('estimated_completion_time').is_nullable).toBe('YES');
    expect(col('complexity').is_nullable).toBe('YES');
    const idx = await db.sql<{ indexname: string }[]>`SELECT indexname FROM pg_indexes WHERE tablename = 'workflow_tasks'`;
    expect(idx.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(['idx_tasks_parent', 'idx_tasks_auto_execute', 'idx_tasks_execution_status']),
    );
    await expect(db.sql`INSERT INTO workflow_tasks (action_plan_id, execution_id, opportunity_id, plan_task_key, owner, action, execution_status)
      VALUES (gen_random_uuid(), gen_random_uuid(), 'x', 'k', 'AI', 'a', 'done')`).rejects.toThrow();
  });

  it('roll back a failing migration and report which one', async () => {
    const db = await freshDatabase({ migrate: false });
    cleanups.push(() => db.drop());
    const broken = [
      ...migrationFiles(),
      { version: 9999, name: '9999_broken.sql', sql: 'CREATE TABLE ok_table (id int); SELECT no_such_function();' },
    ];
    await expect(migrate(db.sql, broken)).rejects.toThrow(/migration 9999_broken\.sql failed/);
    const [row] = await db.sql`SELECT to_regclass('ok_table') AS t`;
    expect(row!.t).toBeNull();
    expect(await migrationsCurrent(db.sql)).toBe(true);
  });

  it('refuse to start when an applied migration was edited, and record checksums of migrations applied before them', async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.drop());
    const files = migrationFiles();
    const recorded = await db.sql<
      { version: number; checksum: string }[]
    >`SELECT version, checksum FROM schema_migrations ORDER BY version`;
    expect(recorded).toEqual(files.map((m) => ({ version: m.version, checksum: checksumOf(m) })));

    const edited = files.map((m, i) => (i === 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    await expect(migrate(db.sql, edited)).rejects.toThrow(new RegExp(`migration ${files[1]!.name} was edited after it was applied`));

    // A database migrated before checksums existed gets them recorded once, then holds to them.
    await db.sql`UPDATE schema_migrations SET checksum = NULL`;
    expect(await migrate(db.sql)).toEqual([]);
    expect((await db.sql`SELECT checksum FROM schema_migrations WHERE checksum IS NULL`).length).toBe(0);
    await expect(migrate(db.sql, edited)).rejects.toThrow(/was edited after it was applied/);
  });
});
