import LOCALE from '@salesforce/i18n/locale';

// Dates from the service are calendar dates (YYYY-MM-DD): format them in UTC so no time zone
// shifts them to the day before.
const dateFormat = new Intl.DateTimeFormat(LOCALE, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC'
});

/**
 * A calendar date for people.
 * @example formatDate('2026-12-04') // 'Dec 4, 2026' in en-US
 */
export function formatDate(isoDate) {
    if (!isoDate) {
        return '';
    }
    const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
    return Number.isNaN(date.getTime()) ? isoDate : dateFormat.format(date);
}

/** SLDS badge classes per urgency, from calm to alarming. */
const URGENCY_CLASSES = {
    low: 'slds-badge slds-theme_success',
    medium: 'slds-badge slds-theme_warning',
    high: 'slds-badge slds-theme_error',
    critical: 'slds-badge slds-badge_inverse'
};

export function urgencyClass(urgency) {
    return URGENCY_CLASSES[urgency] || 'slds-badge';
}

/** Capitalizes the first letter: 'low' → 'Low'. */
export function capitalize(text) {
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : '';
}

const timeFormat = new Intl.DateTimeFormat(LOCALE, {
    hour: 'numeric',
    minute: '2-digit'
});

/** A time of day for people, in the browser's time zone: formatTime('2026-12-04T15:30:00Z') // '3:30 PM' */
export function formatTime(isoDateTime) {
    const date = new Date(isoDateTime);
    return Number.isNaN(date.getTime()) ? isoDateTime : timeFormat.format(date);
}

/**
 * A count with its noun, singular or plural (English: the card's words are English).
 * @example plural(1, 'business day') // '1 business day'; plural(3, 'task') // '3 tasks'
 */
export function plural(count, noun) {
    return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

/**
 * What a task waits for, from its unfinished prerequisites (`blockedBy`); empty when it waits for nothing.
 * @example waitsFor([{ action: 'Engage the CFO' }]) // 'Waits for: Engage the CFO'
 */
export function waitsFor(blockedBy) {
    return blockedBy && blockedBy.length
        ? `Waits for: ${blockedBy.map((b) => b.action).join('; ')}`
        : '';
}

/**
 * Who owns a task (its resolved team role), for people; empty when the plan does not say. When nobody holds the role
 * and the task fell back to the opportunity owner, it says so: the owner does not hold the role.
 * @example ownerLabel({ name: 'Riley Park', role: 'Executive Sponsor', source: 'opportunity-team' }) // 'Owner: Riley Park (Executive Sponsor)'
 * @example ownerLabel({ name: 'Jordan Lee', role: 'Renewal Manager', source: 'owner-fallback' }) // 'Owner: Jordan Lee (opportunity owner, in place of a Renewal Manager)'
 */
export function ownerLabel(assignee) {
    if (!assignee || !assignee.name) {
        return '';
    }
    if (assignee.source === 'owner-fallback' && assignee.role) {
        return `Owner: ${assignee.name} (opportunity owner, in place of a ${assignee.role})`;
    }
    const queue = assignee.source === 'queue' ? ' queue' : '';
    return `Owner: ${assignee.name}${queue}${assignee.role ? ` (${assignee.role})` : ''}`;
}
