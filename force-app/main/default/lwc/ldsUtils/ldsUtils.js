/**
 * Turns whatever an Apex call, a wire adapter or a script rejected with into plain messages.
 * An AuraHandledException arrives as { body: { message } }; UI API errors as { body: [{ message }] }
 * or { body: { pageErrors, fieldErrors } }; a JavaScript error as { message }.
 * @param {*} errors one error or an array of errors
 * @returns {string[]} the non-empty messages, in order
 * @example reduceErrors({ body: { message: 'No access' } }) // ['No access']
 */
export function reduceErrors(errors) {
    const list = Array.isArray(errors) ? errors : [errors];
    return list
        .filter((error) => error !== undefined && error !== null)
        .flatMap(messagesOf)
        .filter(
            (message) => typeof message === 'string' && message.trim() !== ''
        );
}

function messagesOf(error) {
    if (typeof error === 'string') {
        return [error];
    }
    const body = error.body;
    if (Array.isArray(body)) {
        return body.map((entry) => entry.message);
    }
    if (body && typeof body === 'object') {
        const pageErrors = (body.pageErrors || []).map(
            (entry) => entry.message
        );
        const fieldErrors = Object.values(body.fieldErrors || {})
            .flat()
            .map((entry) => entry.message);
        const messages = [...pageErrors, ...fieldErrors];
        if (messages.length > 0) {
            return messages;
        }
        if (typeof body.message === 'string') {
            return [body.message];
        }
    }
    if (typeof error.message === 'string') {
        return [error.message];
    }
    return [error.statusText].filter(Boolean);
}
