import type { Sql } from './sql.ts';

interface RateLimit {
  /** What is limited, e.g. `generate:user:005...`. */
  key: string;
  /** Requests allowed per window (all at once, or spread out). */
  limit: number;
}

type RateDecision = { allowed: true } | { allowed: false; key: string; retryAfterMs: number };

/**
 * Takes one request from each limit, all or none, in one transaction (a request another limit refuses costs
 * nothing). The state lives in PostgreSQL so every instance enforces the same limit; rows are locked in key order,
 * so concurrent requests queue on them instead of deadlocking. Generic cell rate algorithm: `limit` requests per
 * `windowMs`, at most `limit` in a burst. `clock` is the injected clock: it is read once the rows are locked, so a
 * request that waited for another one's lock measures from after that one's write, never from before it.
 */
export async function takeRateLimits(sql: Sql, limits: RateLimit[], windowMs: number, clock: () => Date): Promise<RateDecision> {
  const sorted = [...limits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return sql.begin(async (tx) => {
    const keys = sorted.map((l) => l.key);
    await tx`INSERT INTO rate_limits (key, tat) SELECT unnest(${keys}::text[]), ${clock()} ON CONFLICT (key) DO NOTHING`;
    const rows = await tx<{ key: string; tat: Date }[]>`SELECT key, tat FROM rate_limits WHERE key IN ${tx(keys)} ORDER BY key FOR UPDATE`;
    const now = clock();
    const tatOf = new Map(rows.map((r) => [r.key, r.tat.getTime()]));
    const next = sorted.map((l) => ({ key: l.key, tat: Math.max(tatOf.get(l.key)!, now.getTime()) + windowMs / l.limit }));
    const refused = next.filter((n) => n.tat - now.getTime() > windowMs).sort((a, b) => b.tat - a.tat)[0];
    if (refused) return { allowed: false, key: refused.key, retryAfterMs: refused.tat - windowMs - now.getTime() };
    for (const n of next) await tx`UPDATE rate_limits SET tat = ${new Date(n.tat)} WHERE key = ${n.key}`;
    // A key whose tat has passed is as good as absent: dropping such rows keeps the table to the keys in use.
    // SKIP LOCKED: never wait for (or deadlock with) a request holding one of them.
    await tx`DELETE FROM rate_limits WHERE key IN (SELECT key FROM rate_limits WHERE tat < ${now} FOR UPDATE SKIP LOCKED)`;
    return { allowed: true };
  });
}
