import {
    capitalize,
    formatDate,
    ownerLabel,
    urgencyClass
} from 'c/actionPlanFormat';

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

    it('names the owner by role, and says when the opportunity owner only stands in for the role', () => {
        expect(
            ownerLabel({
                name: 'Riley Park',
                role: 'Executive Sponsor',
                source: 'opportunity-team'
            })
        ).toBe('Owner: Riley Park (Executive Sponsor)');
        expect(
            ownerLabel({
                name: 'Jordan Lee',
                role: 'Renewal Manager',
                source: 'owner-fallback'
            })
        ).toBe(
            'Owner: Jordan Lee (opportunity owner, in place of a Renewal Manager)'
        );
        expect(
            ownerLabel({
                name: 'Jordan Lee',
                role: null,
                source: 'owner-fallback'
            })
        ).toBe('Owner: Jordan Lee');
        expect(
            ownerLabel({
                name: 'Renewal Desk',
                role: 'Renewal Manager',
                source: 'queue'
            })
        ).toBe('Owner: Renewal Desk queue (Renewal Manager)');
    });
});
