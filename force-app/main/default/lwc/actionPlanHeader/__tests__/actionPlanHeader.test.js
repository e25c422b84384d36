import { createElement } from 'lwc';
import ActionPlanHeader from 'c/actionPlanHeader';

const EXECUTION =
    require('../../renewalActionPlan/__tests__/data/execution.json').execution;
const PLAN =
    require('../../renewalActionPlan/__tests__/data/draftPlan.json').plan;

function mount(props) {
    const element = createElement('c-action-plan-header', {
        is: ActionPlanHeader
    });
    Object.assign(element, props);
    document.body.appendChild(element);
    return element;
}

const textOf = (element, id) =>
    element.shadowRoot
        .querySelector(`[data-id="${id}"]`)
        ?.textContent.replace(/\s+/g, ' ')
        .trim();

describe('c-action-plan-header', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('says how overdue a renewal is, with critical urgency', () => {
        const element = mount({
            execution: {
                ...EXECUTION,
                stage: 'Overdue',
                urgency: 'critical',
                daysToRenewal: -4,
                renewalDate: '2026-11-21'
            },
            plan: null
        });

        expect(textOf(element, 'stage')).toBe('Overdue');
        expect(textOf(element, 'urgency')).toBe('Critical urgency');
        expect(textOf(element, 'days')).toBe(
            'Renewal overdue by 4 days (Nov 21, 2026)'
        );
        expect(textOf(element, 'planner')).toBeUndefined();
    });

    it('names the AI planner and leaves out an empty planner note', () => {
        const element = mount({
            execution: EXECUTION,
            plan: { ...PLAN, planner: 'llm', plannerNote: null, version: 3 }
        });

        expect(textOf(element, 'planner')).toBe('Written by the AI planner');
        expect(textOf(element, 'planner-note')).toBeUndefined();
        expect(textOf(element, 'plan-status')).toBe('Version 3 · Draft');
    });

    it('can move focus to the plan status', () => {
        const element = mount({ execution: EXECUTION, plan: PLAN, live: true });

        element.focusStatus();

        expect(element.shadowRoot.activeElement.dataset.id).toBe('plan-status');
        expect(textOf(element, 'live')).toBe('Updating live…');
    });

    it('lists the validation fixes and warns about tasks not copied to Salesforce', () => {
        const element = mount({
            execution: EXECUTION,
            plan: {
                ...PLAN,
                status: 'finalized',
                fixes: [
                    'Call Eric: due date moved from 2026-11-28 to 2026-11-30 (it fell on a weekend)'
                ],
                mirror: {
                    synced: 5,
                    pending: 1,
                    failed: 1,
                    stuck: [
                        {
                            taskId: 't-1',
                            key: 'csm-1',
                            action: 'Call Eric',
                            reason: 'UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record',
                            retryAt: '2026-11-30T10:01:00.000Z',
                            rejected: false
                        },
                        {
                            taskId: 't-2',
                            key: 'csm-2',
                            action: 'Send the QBR invite',
                            reason: 'FIELD_INTEGRITY_EXCEPTION: Assigned To: inactive user',
                            retryAt: null,
                            rejected: true
                        },
                        {
                            taskId: 't-3',
                            key: 'ai-1',
                            action: 'Remind the CSM',
                            reason: 'not copied yet',
                            retryAt: null,
                            rejected: false
                        }
                    ]
                }
            }
        });
        expect(textOf(element, 'fixes')).toContain(
            'moved from 2026-11-28 to 2026-11-30'
        );
        const mirror = textOf(element, 'mirror');
        expect(mirror).toMatch(
            /^3 tasks could not be copied to Salesforce Tasks: ?"Call Eric": UNABLE_TO_LOCK_ROW: unable to obtain exclusive access to this record\. Retrying at \d{1,2}:\d\d/
        );
        expect(mirror).toContain(
            '"Send the QBR invite": Salesforce rejected it (FIELD_INTEGRITY_EXCEPTION: Assigned To: inactive user).'
        );
        expect(mirror).toContain(
            '"Remind the CSM": not copied yet. Retrying in a moment.'
        );
    });

    it('says nothing about tasks that are only waiting to be copied', () => {
        const element = mount({
            execution: EXECUTION,
            plan: {
                ...PLAN,
                status: 'finalized',
                mirror: { synced: 2, pending: 4, failed: 0, stuck: [] }
            }
        });
        expect(textOf(element, 'mirror')).toBeUndefined();
    });

    it('says 1 day and 1 business day, not day(s)', () => {
        const element = mount({
            execution: { ...EXECUTION, daysToRenewal: 1 },
            plan: {
                ...PLAN,
                diff: {
                    previousVersion: 1,
                    added: [],
                    removed: [],
                    changed: [],
                    unchanged: 3,
                    renewalDateMoved: {
                        from: '2026-12-01',
                        to: '2026-12-02',
                        businessDays: 1
                    }
                }
            }
        });
        expect(textOf(element, 'days')).toMatch(/^1 day to renewal/);
        expect(textOf(element, 'diff')).toContain(
            'open tasks moved 1 business day.'
        );
    });

    it('says nothing about the mirror when every task is copied', () => {
        const element = mount({
            execution: EXECUTION,
            plan: {
                ...PLAN,
                status: 'finalized',
                fixes: [],
                mirror: { synced: 7, pending: 0, failed: 0 }
            }
        });
        expect(textOf(element, 'mirror')).toBeUndefined();
        expect(textOf(element, 'fixes')).toBeUndefined();
    });
});
