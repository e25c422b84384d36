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
