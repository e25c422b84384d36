import type { Connection } from 'jsforce';
import { LRUCache } from 'lru-cache';
import { RecordAccess } from './access.ts';
import { CompositeBatcher } from './composite.ts';
import { loadOpportunityContext, loadOpportunityContexts, type CrmContext, type SoqlReader } from './context.ts';
import { notificationTypeId, sendCustomNotifications, type CustomNotification } from './custom-notifications.ts';
import type { SalesforceError } from './errors.ts';
import { FieldAccess, type ReadableFields } from './field-access.ts';
import { idKey, SALESFORCE_ID, soqlId } from './ids.ts';
import type { PubSubAuth } from './pubsub/client.ts';
import { portfolioPage, type PortfolioOpportunity, type PortfolioQuery } from './portfolio.ts';
import { changedRenewalDates, type RenewalDateChange } from './renewal-dates.ts';
import { apiUsageReader } from './api-usage.ts';
import { ALL_FEATURES, readOrgFeatures, type OrgFeatures } from './org-features.ts';
import { renewalCondition, renewalCriteriaFor, type ConfiguredRenewalCriteria, type RenewalCriteria } from './renewal-criteria.ts';
import { readTaskStatuses, STANDARD_TASK_STATUSES, type TaskStatusMap } from './task-statuses.ts';
import { DEFAULT_RETRY, DEFAULT_WRITE_PAUSE_MS, READ_RETRY, WriteGate, withRetry, type RetryPolicy } from './retry.ts';
import { contextReadableBy } from './withheld.ts';
import { inSpan, SpanKind } from '../tracing.ts';
import {
  changedMirroredTasks,
  mirroredTasksByIds,
  mirrorTasks,
  type ChangeCursor,
  type MirrorOutcome,
  type MirrorTask,
  type SalesforceTaskChange,
} from './task-mirror.ts';

/** Everything the service asks of Salesforce, on one jsforce connection. */
export class SalesforceGateway {
  readonly access: RecordAccess;
  /** Each user's field-level security, cached briefly: what the service shows a user is what they may read. */
  readonly fieldAccess: FieldAccess;
  readonly gate: WriteGate;
  /** The in-request retry of writes (processors and the mirror); the queues retry later beyond it. */
  readonly writeRetry: RetryPolicy;
  readonly readRetry: RetryPolicy;
  /** The AI tasks' reads and writes, batched into Composite API requests. */
  readonly composite: CompositeBatcher;
  /**
   * The org's optional features (teams, Enhanced Email, custom notifications), learnt once with `learnFeatures()` at
   * start; until then every feature is assumed on. Known before any request, so a context read stays one call.
   */
  features: OrgFeatures = ALL_FEATURES;
  /** The Task Status values the mirror writes (the org's, learnt with the features; the standard ones until then). */
  taskStatuses: TaskStatusMap = STANDARD_TASK_STATUSES;
  /** Which opportunities are renewals (RENEWAL_CRITERIA, else decided by the org's Type picklist when learnt). */
  renewalCriteria: RenewalCriteria;
  /** Custom Notification Type ids by DeveloperName, found once per gateway (they do not change while it runs). */
  private readonly notificationTypes = new LRUCache<string, string>({ max: 100 });

  constructor(
    readonly conn: Connection,
    private readonly opts: {
      renewalDateField?: string;
      accessCacheMs?: number;
      /** How long a user's field access is reused (default 120 s; 0: read it every time). */
      fieldAccessCacheMs?: number;
      /** The monotonic milliseconds that lifetime is measured on (tests move it on). */
      fieldAccessClock?: () => number;
      /** How many user × record access answers are kept (default 10,000). */
      accessCacheEntries?: number;
      writeRetry?: RetryPolicy;
      readRetry?: RetryPolicy;
      /**
       * How long writes pause after the daily REQUEST_LIMIT_EXCEEDED before the allowance is read again (default 15
       * minutes; longer when Retry-After says so).
       */
      writePauseMs?: number;
      /** The monotonic milliseconds the pause is measured in (tests move it on). */
      pauseClock?: () => number;
      /**
       * How long a loaded CRM context is reused (default 30 s): starting a workflow and generating its plan right after
       * read Salesforce once. Any write through this gateway forgets every cached context.
       */
      contextCacheMs?: number;
      /** Task statuses configured (TASK_STATUS_MAP), over the defaults read from the org. */
      taskStatuses?: Partial<TaskStatusMap>;
      /** RENEWAL_CRITERIA; unset, learnFeatures() decides from the org's Opportunity Type picklist. */
      renewalCriteria?: ConfiguredRenewalCriteria;
      /** How long a processor's call waits for others to share its composite request (default 25 ms). */
      compositeWindowMs?: number;
    } = {},
  ) {
    this.renewalCriteria = opts.renewalCriteria ?? { kind: 'type', values: ['Renewal'] };
    this.access = new RecordAccess((soql) => this.query(soql, 0), opts.accessCacheMs ?? 30_000, undefined, opts.accessCacheEntries);
    this.fieldAccess = new FieldAccess((soql) => this.query(soql, 0), {
      ttlMs: opts.fieldAccessCacheMs ?? 120_000,
      now: opts.fieldAccessClock,
    });
    const contextTtl = opts.contextCacheMs ?? 30_000;
    this.contexts = contextTtl > 0 ? new LRUCache({ max: 1000, ttl: contextTtl }) : undefined;
    this.gate = new WriteGate(opts.writePauseMs ?? DEFAULT_WRITE_PAUSE_MS, opts.pauseClock, apiUsageReader(conn));
    this.writeRetry = opts.writeRetry ?? DEFAULT_RETRY;
    this.readRetry = opts.readRetry ?? READ_RETRY;
    this.composite = new CompositeBatcher(
      () => this.conn,
      opts.compositeWindowMs ?? 25,
      () => this.contexts?.clear(),
    );
  }

  /** Asks the org which optional features it has (one describeGlobal call) and reads accordingly from then on. */
  async learnFeatures(): Promise<OrgFeatures> {
    this.features = await withRetry(() => readOrgFeatures(this.conn), { policy: this.readRetry });
    this.taskStatuses = await withRetry(() => readTaskStatuses((soql) => this.query(soql, 0), this.opts.taskStatuses), {
      policy: this.readRetry,
    });
    if (!this.opts.renewalCriteria) {
      const describe = await withRetry(() => this.conn.sobject('Opportunity').describe(), { policy: this.readRetry });
      const type = describe.fields.find((f) => f.name === 'Type');
      this.renewalCriteria = renewalCriteriaFor(
        undefined,
        (type?.picklistValues ?? []).filter((v) => v.active).map((v) => v.value),
      );
    }
    this.contexts?.clear();
    return this.features;
  }

  /** Loaded CRM contexts by opportunity: at most 1000, each for `contextCacheMs` (lru-cache's monotonic clock). */
  private readonly contexts: LRUCache<string, Promise<CrmContext | undefined>> | undefined;

  /** The opportunity's CRM context in one API call (reads are retried by jsforce and by us on row locks). */
  loadContext(opportunityId: string): Promise<CrmContext | undefined> {
    const hit = this.contexts?.get(opportunityId);
    if (hit) return hit;
    const read = (soql: string) => this.query(soql, 0);
    const value = withRetry(
      () =>
        loadOpportunityContext(read as SoqlReader, opportunityId, {
          renewalDateField: this.opts.renewalDateField,
          features: this.features,
        }),
      { policy: this.readRetry },
    );
    if (this.contexts) {
      this.contexts.set(opportunityId, value);
      value.catch(() => this.contexts?.delete(opportunityId));
    }
    return value;
  }

  /**
   * The opportunity's CRM context as a user may read it: read by the integration user (and cached as above), then every
   * field the user's field-level security hides is emptied and listed in `withheld` (withheld.ts). The two reads start
   * together and share a composite request.
   */
  async loadContextFor(userId: string, opportunityId: string): Promise<CrmContext | undefined> {
    const [ctx, fields] = await Promise.all([this.loadContext(opportunityId), this.readableFields(userId)]);
    return ctx && contextReadableBy(ctx, fields);
  }

  /** What a user may read, field by field (their profile's and assigned permission sets' FieldPermissions, cached briefly). */
  readableFields(userId: string): Promise<ReadableFields> {
    return withRetry(() => this.fieldAccess.readable(userId), { policy: this.readRetry });
  }

  /** loadContexts, each context as the user may read it (see loadContextFor). */
  async loadContextsFor(userId: string, opportunityIds: string[]): Promise<Map<string, CrmContext | SalesforceError>> {
    const [contexts, fields] = await Promise.all([this.loadContexts(opportunityIds), this.readableFields(userId)]);
    for (const [id, ctx] of contexts) if (!(ctx instanceof Error)) contexts.set(id, contextReadableBy(ctx, fields));
    return contexts;
  }

  /**
   * The CRM contexts of up to 200 opportunities in one query (see loadOpportunityContexts), read fresh. Started in the
   * same tick as an access check, both share one composite request.
   */
  loadContexts(opportunityIds: string[]): Promise<Map<string, CrmContext | SalesforceError>> {
    const read = (soql: string) => this.query(soql, 0);
    const opts = { renewalDateField: this.opts.renewalDateField, features: this.features };
    return withRetry(() => loadOpportunityContexts(read as SoqlReader, opportunityIds, opts), {
      policy: this.readRetry,
    });
  }

  /**
   * A call to Salesforce in a span of its own (object, operation and how it ended: `ok` or the error code), so a trace
   * shows which calls a request, an AI task or a schedule run made. Retries happen inside it.
   */
  traced<T>(object: string, operation: string, call: () => Promise<T>): Promise<T> {
    const attributes = { 'salesforce.object': object, 'salesforce.operation': operation };
    return inSpan(`salesforce ${operation} ${object}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      try {
        const out = await call();
        span.setAttribute('salesforce.status', 'ok');
        return out;
      } catch (err) {
        span.setAttribute('salesforce.status', (err as { errorCode?: string; name?: string }).errorCode ?? (err as Error).name);
        throw err;
      }
    });
  }

  /**
   * Every record of a SOQL query, through the composite batcher: calls made within `windowMs` share one API call
   * (default: the processors' window; 0 for a request path reading two things at once).
   */
  query<T extends Record<string, unknown>>(soql: string, windowMs?: number): Promise<T[]> {
    return this.traced(queriedObject(soql), 'query', () => this.queryAll<T>(soql, windowMs));
  }

  private async queryAll<T extends Record<string, unknown>>(soql: string, windowMs?: number): Promise<T[]> {
    type Page = { records: T[]; done: boolean; nextRecordsUrl?: string };
    const first = (await this.composite.send({ method: 'GET', url: `/query?q=${encodeURIComponent(soql)}` }, windowMs)) as Page;
    const records = [...first.records];
    for (let page = first; !page.done && page.nextRecordsUrl;) {
      const url: string = page.nextRecordsUrl;
      page = (await this.conn.queryMore<T>(url)) as unknown as Page;
      records.push(...page.records);
    }
    return records;
  }

  async canEdit(userId: string, recordId: string): Promise<boolean> {
    return withRetry(() => this.access.canEdit(userId, recordId), { policy: this.readRetry });
  }

  async editable(userId: string, recordIds: string[]): Promise<Set<string>> {
    return withRetry(() => this.access.editable(userId, recordIds), { policy: this.readRetry });
  }

  /** Whether the user's profile has Modify All Data (a Salesforce administrator), read fresh each time. */
  async isAdmin(userId: string): Promise<boolean> {
    const rows = await withRetry(
      () =>
        this.query<{ Profile?: { PermissionsModifyAllData?: boolean } }>(
          `SELECT Profile.PermissionsModifyAllData FROM User WHERE Id = ${soqlId(userId)}`,
          0,
        ),
      { policy: this.readRetry },
    );
    return rows[0]?.Profile?.PermissionsModifyAllData === true;
  }

  /** Of these records, the ones the user can see (one `UserRecordAccess` query per 200 ids not cached). */
  async readable(userId: string, recordIds: string[]): Promise<Set<string>> {
    return withRetry(() => this.access.readable(userId, recordIds), { policy: this.readRetry });
  }

  /**
   * Which of these opportunities are renewals by the criteria (one query, sharing a composite request with reads started
   * in the same tick). Under the execution fallback every one is: starting a workflow is what makes it a renewal.
   */
  async renewalsAmong(opportunityIds: string[]): Promise<Set<string>> {
    if (this.renewalCriteria.kind === 'execution' || opportunityIds.length === 0) return new Set(opportunityIds.map(idKey));
    const soql = `SELECT Id FROM Opportunity WHERE Id IN (${opportunityIds.map(soqlId).join(', ')}) AND ${renewalCondition(this.renewalCriteria)}`;
    const rows = await withRetry(() => this.query<{ Id: string }>(soql, 0), { policy: this.readRetry });
    return new Set(rows.map((r) => idKey(r.Id)));
  }

  /** One page of a user's (or their team's) open renewals, in one SOQL query. */
  portfolioPage(query: PortfolioQuery): Promise<PortfolioOpportunity[]> {
    return withRetry(() => portfolioPage((soql) => this.query(soql, 0), query, this.opts.renewalDateField), {
      policy: this.readRetry,
    });
  }

  /** Whether an opportunity with this id exists (for the service's integration user). */
  async opportunityExists(opportunityId: string): Promise<boolean> {
    if (!SALESFORCE_ID.test(opportunityId)) return false;
    const result = await withRetry(async () => await this.conn.query(`SELECT Id FROM Opportunity WHERE Id = ${soqlId(opportunityId)}`), {
      policy: this.readRetry,
    });
    return result.totalSize > 0;
  }

  mirror(tasks: MirrorTask[]): Promise<MirrorOutcome[]> {
    this.contexts?.clear();
    return this.traced('Task', 'upsert', () =>
      mirrorTasks(this.conn, tasks, { gate: this.gate, policy: this.writeRetry, statuses: this.taskStatuses }),
    );
  }

  /** The Custom Notification Type's id, cached once found; undefined while the org has no such type. */
  async notificationType(developerName: string): Promise<string | undefined> {
    // No custom notifications in this org: the service's own notifications remain.
    if (!this.features.customNotifications) return undefined;
    const cached = this.notificationTypes.get(developerName);
    if (cached) return cached;
    const id = await withRetry(() => notificationTypeId(this.conn, developerName), { policy: this.readRetry });
    if (id) this.notificationTypes.set(developerName, id);
    return id;
  }

  /** Sends custom notifications (the bell); one outcome per notification, undefined when sent. */
  notify(notes: CustomNotification[]): Promise<(SalesforceError | undefined)[]> {
    return this.traced('CustomNotification', 'send', () => sendCustomNotifications(this.conn, notes));
  }

  /** Of these opportunities, the ones changed since `since`, with their renewal date now. */
  changedRenewalDates(opportunityIds: string[], since: string): Promise<RenewalDateChange[]> {
    return this.traced('Opportunity', 'query', () =>
      withRetry(() => changedRenewalDates(this.conn, opportunityIds, since, this.opts.renewalDateField), { policy: this.readRetry }),
    );
  }

  /** One page of mirrored Tasks changed after the cursor, in (SystemModstamp, Id) order. */
  changedTasks(after: ChangeCursor): Promise<SalesforceTaskChange[]> {
    return this.traced('Task', 'query', () => withRetry(() => changedMirroredTasks(this.conn, after), { policy: this.readRetry }));
  }

  /**
   * The Pub/Sub API's credentials: the integration user's current session (the one jsforce renews) and the org id, read
   * once from the Organization record (one query per gateway).
   */
  async pubsubAuth(): Promise<PubSubAuth> {
    this.orgId ??= withRetry(async () => (await this.conn.query<{ Id: string }>('SELECT Id FROM Organization LIMIT 1')).records[0]!.Id, {
      policy: this.readRetry,
    });
    this.orgId.catch(() => (this.orgId = undefined));
    return { accessToken: this.conn.accessToken ?? '', instanceUrl: this.conn.instanceUrl, tenantId: await this.orgId };
  }
  private orgId: Promise<string> | undefined;

  /** The mirrored Tasks among these ids as they are now (what a change event about them is applied from). */
  mirroredTasks(ids: string[]): Promise<SalesforceTaskChange[]> {
    return this.traced('Task', 'query', () => withRetry(() => mirroredTasksByIds(this.conn, ids), { policy: this.readRetry }));
  }
}

/** The object a SOQL query reads: the outer FROM, its sub-queries (parenthesised) set aside. */
function queriedObject(soql: string): string {
  let outer = soql;
  for (let inner = ''; inner !== outer;) [inner, outer] = [outer, outer.replace(/\([^()]*\)/g, '')];
  return /\bFROM\s+(\w+)/i.exec(outer)?.[1] ?? 'unknown';
}
