/** What the routes read of action plans: the CRM context a plan was made from. */
export { planContext, type PlanRow } from '../db/plans.ts';
