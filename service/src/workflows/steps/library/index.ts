import type { StepDefinition } from '../types.ts';
import { accountHealth } from './account-health.ts';
import { actionPlan } from './action-plan.ts';
import { churnRisk } from './churn-risk.ts';
import { contractAnalysis } from './contract-analysis.ts';
import { csmAssessment } from './csm-assessment.ts';
import { escalationPath } from './escalation-path.ts';
import { objectionLog } from './objection-log.ts';
import { openTasksReview } from './open-tasks-review.ts';
import { paperworkStatus } from './paperwork-status.ts';
import { pricingFinalization } from './pricing-finalization.ts';
import { pricingStrategy } from './pricing-strategy.ts';
import { recommendations } from './recommendations.ts';
import { stakeholderMapping } from './stakeholder-mapping.ts';
import { valueCase } from './value-case.ts';

/** Every step a workflow configuration may use, by id. */
export const stepLibrary: Record<string, StepDefinition> = Object.fromEntries(
  [
    csmAssessment,
    contractAnalysis,
    pricingStrategy,
    stakeholderMapping,
    recommendations,
    actionPlan,
    accountHealth,
    valueCase,
    openTasksReview,
    objectionLog,
    pricingFinalization,
    paperworkStatus,
    escalationPath,
    churnRisk,
  ].map((s) => [s.id, s]),
);
