import type { SoqlReader } from './context.ts';
import { idKey, SALESFORCE_ID } from './ids.ts';
import { wallClockMs } from '../clock.ts';

/**
 * Whether Salesforce users may edit records, from `UserRecordAccess` (up to 200 record ids per query),
 * cached briefly so a burst of requests from one page costs one call.
 */
export class RecordAccess {
  private readonly cache = new Map<string, { edit: boolean; until: number }>();

  constructor(
    private readonly query: SoqlReader,
    private readonly ttlMs = 30_000,
    private readonly now = wallClockMs,
  ) {}

  /** Record ids (of those given) the user can edit. */
  async editable(userId: string, recordIds: string[]): Promise<Set<string>> {
    if (!SALESFORCE_ID.test(userId) || !recordIds.every((id) => SALESFORCE_ID.test(id)))
      throw new Error('RecordAccess needs Salesforce ids');
    const result = new Set<string>();
    const missing: string[] = [];
    for (const id of new Set(recordIds)) {
      const hit = this.cache.get(`${userId}:${id}`);
      if (hit && hit.until > this.now()) {
        if (hit.edit) result.add(id);
      } else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += 200) {
      const chunk = missing.slice(i, i + 200);
      const soql = `SELECT RecordId, HasEditAccess FROM UserRecordAccess WHERE UserId = '${userId}' AND RecordId IN (${chunk
        .map((id) => `'${id}'`)
        .join(', ')})`;
      const records = await this.query<{ RecordId: string; HasEditAccess: boolean }>(soql);
      const edit = new Map(records.map((r) => [idKey(r.RecordId), r.HasEditAccess === true]));
      for (const id of chunk) {
        const can = edit.get(idKey(id)) ?? false;
        if (this.ttlMs > 0) this.cache.set(`${userId}:${id}`, { edit: can, until: this.now() + this.ttlMs });
        if (can) result.add(id);
      }
    }
    return result;
  }

  async canEdit(userId: string, recordId: string): Promise<boolean> {
    return (await this.editable(userId, [recordId])).has(recordId);
  }
}
