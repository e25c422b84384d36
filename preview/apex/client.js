/**
 * What the Apex controller does in Salesforce, done for the local preview: calls the service's HTTP API on the
 * same origin through `/preview-apex`, the embedded mode's server-side stand-in for Apex, which adds the signed
 * user assertion (the private key stays on the server, as the org's certificate stays in Salesforce), and answers
 * like an @AuraEnabled method (the response body as a JSON string; failures as { body: { message } }, the shape
 * of an AuraHandledException).
 */

/** Where the server-side stand-in for Apex takes the preview's calls (service/src/routes/preview-apex.ts). */
const APEX_STAND_IN = '/preview-apex';

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * The preview's API key, user id and opportunity, from the URL fragment
 * (`#key=...&user=...&opportunity=...`), which the browser never sends to the server.
 * The opportunity may also be the last path segment: `/preview/006...#key=...&user=...`.
 */
export function previewContext(location = window.location) {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const lastSegment = location.pathname.split('/').filter(Boolean).pop();
    return {
        apiKey: params.get('key'),
        userId: params.get('user'),
        opportunityId:
            params.get('opportunity') ||
            (SALESFORCE_ID.test(lastSegment || '') ? lastSegment : null)
    };
}

function apexError(message, status) {
    return { body: { message }, status };
}

function serviceMessage(text, status) {
    try {
        const message = JSON.parse(text).error.message;
        if (message) {
            return message;
        }
    } catch {
        // Not the service's error shape: fall through, as the controller does.
    }
    return `The action plan service failed (HTTP ${status}). Try again later.`;
}

/**
 * One request to the service.
 * @param {string} method HTTP method
 * @param {string} path API path, e.g. /api/workflows/executions
 * @param {object} [body] JSON body
 * @param {{ allowNotFound?: boolean }} [options] answer null instead of failing on 404
 * @returns {Promise<string|null>} the response body, as the Apex method returns it
 */
export async function callService(
    method,
    path,
    body,
    { allowNotFound = false } = {}
) {
    const { apiKey, userId } = previewContext();
    const headers = {
        Accept: 'application/json',
        Authorization: `Bearer ${apiKey}`,
        'X-Salesforce-User-Id': userId
    };
    if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
    }
    let response;
    try {
        response = await fetch(APEX_STAND_IN + path, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body)
        });
    } catch (error) {
        throw apexError(
            `The action plan service could not be reached: ${error.message}`,
            0
        );
    }
    const text = await response.text();
    if (response.ok) {
        return text;
    }
    if (response.status === 404 && allowNotFound) {
        return null;
    }
    throw apexError(serviceMessage(text, response.status), response.status);
}

export const planPath = (executionId) =>
    `/api/workflows/executions/${encodeURIComponent(executionId)}/action-plan`;

export const parseOr = (json, fallback) => (json ? JSON.parse(json) : fallback);
