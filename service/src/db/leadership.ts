import type { Sql } from './sql.ts';

/**
 * A role only one instance holds at a time (the Salesforce sync leader), kept with a session-level advisory lock on a
 * connection of its own: held for as long as that connection lives, released by `release` or when the instance dies
 * (PostgreSQL drops a session's locks with the session), then taken by whichever instance asks next.
 */
export class Leadership {
  private conn: Awaited<ReturnType<Sql['reserve']>> | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly name: string,
  ) {}

  /** True when this instance holds the role (taking it if it is free). */
  async acquire(): Promise<boolean> {
    if (this.conn) {
      // Still ours while the connection is alive; a dead one lost the lock with it.
      try {
        await this.conn`SELECT 1`;
        return true;
      } catch {
        this.conn = undefined;
      }
    }
    const conn = await this.sql.reserve();
    const [row] = await conn<{ held: boolean }[]>`SELECT pg_try_advisory_lock(hashtext(${this.name})) AS held`;
    if (row?.held) {
      this.conn = conn;
      return true;
    }
    conn.release();
    return false;
  }

  /** Gives the role up (a stopping instance), so another takes it at its next interval. */
  async release(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    if (!conn) return;
    await conn`SELECT pg_advisory_unlock(hashtext(${this.name}))`.catch(() => undefined);
    conn.release();
  }
}
