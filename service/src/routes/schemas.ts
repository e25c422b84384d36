import { z } from 'zod';
import { SalesforceId } from '../salesforce/ids.ts';

/** Schemas shared by the routes and the OpenAPI document. */
const ErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })),
    requestId: z.string(),
    traceId: z.string().optional().describe('the OpenTelemetry trace id of the request, as in its log lines'),
  }),
});

export const IdParam = z.object({ id: z.uuid('must be a UUID') });
export const OpportunityIdBody = z.object({ opportunityId: SalesforceId }).strict();
export const OpportunityIdQuery = z.object({ opportunityId: SalesforceId });

export const errorResponses = {
  400: { description: 'Invalid input (the issues name each field)', content: { 'application/json': { schema: ErrorResponse } } },
  401: { description: 'Missing or wrong service API key', content: { 'application/json': { schema: ErrorResponse } } },
  403: { description: 'The Salesforce user cannot edit this opportunity', content: { 'application/json': { schema: ErrorResponse } } },
  404: { description: 'Unknown id', content: { 'application/json': { schema: ErrorResponse } } },
} as const;

/** 409: the request conflicts with the current state (the message says which: a newer draft, a task already running...). */
export const conflictResponse = {
  409: {
    description: 'Conflict with the current state (a newer draft, an already finalized plan, a task another worker runs)',
    content: { 'application/json': { schema: ErrorResponse } },
  },
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T, required = true) => ({
  body: { content: { 'application/json': { schema } }, required },
});
