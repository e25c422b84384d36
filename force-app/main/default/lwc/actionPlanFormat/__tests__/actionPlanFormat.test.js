import { capitalize, formatDate, urgencyClass } from 'c/actionPlanFormat';

describe('actionPlanFormat', () => {
    it('formats calendar dates without shifting them by time zone', () => {
        expect(formatDate('2026-12-04')).toBe('Dec 4, 2026');
        expect(formatDate('2027-01-01T00:00:00.000Z')).toBe('Jan 1, 2027');
    });

    it('leaves empty and unreadable dates alone', () => {
        expect(formatDate(null)).toBe('');
        expect(formatDate('soon')).toBe('soon');
    });

    it('colours urgency from calm to alarming', () => {
        expect(urgencyClass('low')).toContain('slds-theme_success');
        expect(urgencyClass('critical')).toContain('slds-badge_inverse');
        expect(urgencyClass('unknown')).toBe('slds-badge');
    });

    it('capitalizes labels', () => {
        expect(capitalize('moderate')).toBe('Moderate');
        expect(capitalize('')).toBe('');
    });
});
