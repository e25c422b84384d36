import type { UserIdentity } from './auth.ts';
import type { BusinessCalendar } from './calendar/business-days.ts';
import type { IsoDate } from './calendar/dates.ts';
import type { Env } from './config.ts';
import type { EngagementRules } from './engagement/rules.ts';
import type { Database } from './db/sql.ts';
import type { Logger } from './log.ts';
import type { Planner } from './plan/planner.ts';
import type { SalesforceGateway } from './salesforce/gateway.ts';
import type { RenewalStage } from './stages/stages.ts';
import type { SyncStatus } from './sync/sync-status.ts';
import type { StepModel } from './workflows/steps/model.ts';
import type { Workflow } from './workflows/steps/workflows.ts';

/** What the routes and background jobs share; built once by the server (or by a test). */
export interface Deps {
  db: Database;
  salesforce: SalesforceGateway;
  /** The configured planner (the playbook, or the LLM planner when a model is configured). */
  planner: Planner;
  calendar: BusinessCalendar;
  /** What customer engagement does to a plan, per stage (config/engagement-rules.json, validated at startup). */
  engagementRules: EngagementRules;
  /** The stage table (config/stages.json, loaded once at start; tests and the demo may pin another). */
  stages: RenewalStage[];
  /** The workflow table (config/workflows.json, likewise). */
  workflows: Workflow[];
  env: Env;
  apiKey: string;
  /** How a request's user is known: a verified signed assertion, or (development only) the header as sent. */
  userIdentity: UserIdentity;
  log: Logger;
  /** A model that may analyse the workflow steps that allow it (the rules answer without one, or when it fails). */
  stepModel?: StepModel;
  /** Which mode the Salesforce sync runs in (stream or poll), shown by /readyz and /metrics; absent in tests without a loop. */
  syncStatus?: SyncStatus;
  /** The current instant, from the one injected clock (`TODAY` pins it for demos; tests pin it). */
  now(): Date;
  /** Today's date from the same clock. */
  today(): IsoDate;
}
