import type { Connection } from 'jsforce';
import type { ApiUsage } from './retry.ts';

interface LimitsResource {
  DailyApiRequests?: { Max: number; Remaining: number };
}

/**
 * Reads the org's daily API usage for the write gate. First the `Sforce-Limit-Info: api-usage=N/M` header of the
 * newest response (jsforce keeps it as `conn.limitInfo`, a new object per response): when one arrived since the last
 * read and shows allowance left, that is the answer, at no cost. Otherwise (no newer response, or one that still
 * shows the allowance spent, which may be the failed request's own, now old) the `/limits` resource says (one call).
 * Salesforce documents both: "Limit Info Header" and "Limits" in the REST API Developer Guide.
 */
export function apiUsageReader(conn: Connection): () => Promise<ApiUsage | undefined> {
  const latest = () => (conn as { limitInfo?: { apiUsage?: ApiUsage } }).limitInfo;
  let lastSeen: unknown = latest();
  return async () => {
    const info = latest();
    const fresh = info !== lastSeen ? info?.apiUsage : undefined;
    lastSeen = info;
    if (fresh && fresh.used < fresh.limit) return fresh;
    const limits = await conn.request<LimitsResource>(`/services/data/v${conn.version}/limits`);
    lastSeen = latest();
    const daily = limits.DailyApiRequests;
    return daily ? { used: daily.Max - daily.Remaining, limit: daily.Max } : undefined;
  };
}
