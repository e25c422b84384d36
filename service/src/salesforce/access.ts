import { LRUCache } from 'lru-cache';
import type { SoqlReader } from './context.ts';
import { idKey, SALESFORCE_ID, soqlId } from './ids.ts';
import { soqlIdList } from './soql.ts';
import { wallClockMs } from '../clock.ts';

type Access = { read: boolean; edit: boolean };

/** How many user × record answers the access cache keeps by default (the least recently used go first). */
const ACCESS_CACHE_ENTRIES = 10_000;

/**
 * Whether Salesforce users may read or edit records, from `UserRecordAccess` (up to 200 record ids per query),
 * cached briefly so a burst of requests from one page costs one call. The cache is bounded in entries and in age: an
 * answer older than `ttlMs` is never used, and past `maxEntries` the least recently used answer is dropped, so memory
 * does not grow with every record anyone opened.
 */
export class RecordAccess {
  private readonly cache: LRUCache<string, Access> | undefined;

  constructor(
    private readonly query: SoqlReader,
    ttlMs = 30_000,
    now = wallClockMs,
    maxEntries = ACCESS_CACHE_ENTRIES,
  ) {
    this.cache = ttlMs > 0 ? new LRUCache({ max: maxEntries, ttl: ttlMs, ttlResolution: 0, perf: { now } }) : undefined;
  }

  /** Answers held now (expired ones included until they are read or pushed out). */
  get cachedEntries(): number {
    return this.cache?.size ?? 0;
  }

  /** Record ids (of those given) the user can edit. */
  editable(userId: string, recordIds: string[]): Promise<Set<string>> {
    return this.allowed(userId, recordIds, 'edit');
  }

  /** Record ids (of those given) the user can see. */
  readable(userId: string, recordIds: string[]): Promise<Set<string>> {
    return this.allowed(userId, recordIds, 'read');
  }

  private async allowed(userId: string, recordIds: string[], level: keyof Access): Promise<Set<string>> {
    if (!SALESFORCE_ID.test(userId) || !recordIds.every((id) => SALESFORCE_ID.test(id)))
      throw new Error('RecordAccess needs Salesforce ids');
    const result = new Set<string>();
    const missing: string[] = [];
    for (const id of new Set(recordIds)) {
      const hit = this.cache?.get(`${userId}:${id}`);
      if (hit) {
        if (hit[level]) result.add(id);
      } else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += 200) {
      const chunk = missing.slice(i, i + 200);
      const soql = `SELECT RecordId, HasReadAccess, HasEditAccess FROM UserRecordAccess WHERE UserId = ${soqlId(userId)} AND RecordId IN ${soqlIdList(chunk)}`;
      const records = await this.query<{ RecordId: string; HasReadAccess: boolean; HasEditAccess: boolean }>(soql);
      const found = new Map<string, Access>(
        records.map((r) => [idKey(r.RecordId), { read: r.HasReadAccess === true, edit: r.HasEditAccess === true }]),
      );
      for (const id of chunk) {
        const access = found.get(idKey(id)) ?? { read: false, edit: false };
        this.cache?.set(`${userId}:${id}`, access);
        if (access[level]) result.add(id);
      }
    }
    return result;
  }

  async canEdit(userId: string, recordId: string): Promise<boolean> {
    return (await this.editable(userId, [recordId])).has(recordId);
  }
}
