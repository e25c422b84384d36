import { createElement } from 'lwc';
import RenewalActionPlan from 'c/renewalActionPlan';
import LightningConfirm from 'lightning/confirm';
import {
    registerRefreshHandler,
    unregisterRefreshHandler
} from 'lightning/refresh';
import getWorkflow from '@salesforce/apex/RenewalActionPlanController.getWorkflow';
import startWorkflow from '@salesforce/apex/RenewalActionPlanController.startWorkflow';
import { getRecord } from 'lightning/uiRecordApi';
import getActionPlan from '@salesforce/apex/RenewalActionPlanController.getActionPlan';
import generateActionPlan from '@salesforce/apex/RenewalActionPlanController.generateActionPlan';
import finalizeActionPlan from '@salesforce/apex/RenewalActionPlanController.finalizeActionPlan';
import updateTask from '@salesforce/apex/RenewalActionPlanController.updateTask';
import approveTask from '@salesforce/apex/RenewalActionPlanController.approveTask';
import { POLL_INTERVAL_MS } from '../renewalActionPlan';

const EXECUTION = require('./data/execution.json');
const DRAFT = require('./data/draftPlan.json');
const RUNNING = require('./data/finalizedPlanRunning.json');
const SETTLED = require('./data/finalizedPlanSettled.json');
// The settled plan once the engagement rules acted on the CSM's tracked emails (a follow-up, a proposed contact update).
const ENGAGED = require('./data/finalizedPlanEngaged.json');

jest.mock(
    '@salesforce/apex/RenewalActionPlanController.getWorkflow',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
jest.mock(
    '@salesforce/apex/RenewalActionPlanController.startWorkflow',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
jest.mock(
    '@salesforce/apex/RenewalActionPlanController.getActionPlan',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
jest.mock(
    '@salesforce/apex/RenewalActionPlanController.generateActionPlan',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
jest.mock(
    '@salesforce/apex/RenewalActionPlanController.finalizeActionPlan',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
jest.mock(
    '@salesforce/apex/RenewalActionPlanController.updateTask',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
jest.mock(
    '@salesforce/apex/RenewalActionPlanController.approveTask',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
jest.mock('lightning/confirm', () => ({
    __esModule: true,
    default: { open: jest.fn() }
}));

const OPPORTUNITY_ID = '006Dn00000AcmeRenAA';
const EXECUTION_ID = EXECUTION.execution.id;
const json = (value) => JSON.stringify(value);
const serviceError = (message) => ({ body: { message }, status: 500 });

/** Lets pending promises and the re-render they cause finish. */
// eslint-disable-next-line @lwc/lwc/no-async-operation
const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

function executionWithoutPlan() {
    return { execution: { ...EXECUTION.execution, currentPlanId: null } };
}

async function mount({ plan = DRAFT, execution = EXECUTION } = {}) {
    getWorkflow.mockResolvedValue(json(execution));
    getActionPlan.mockResolvedValue(plan ? json(plan) : null);
    const element = createElement('c-renewal-action-plan', {
        is: RenewalActionPlan
    });
    element.recordId = OPPORTUNITY_ID;
    const toasts = [];
    element.addEventListener('lightning__showtoast', (event) =>
        toasts.push(event.detail)
    );
    document.body.appendChild(element);
    await flushPromises();
    return { element, toasts };
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [
    ...element.shadowRoot.querySelectorAll(selector)
];
const child = (element, name) => $(element, name).shadowRoot;
const button = (element, id) => $(element, `lightning-button[data-id="${id}"]`);
const header = (element, id) =>
    child(element, 'c-action-plan-header').querySelector(`[data-id="${id}"]`);
const text = (node) => node.textContent.replace(/\s+/g, ' ').trim();

function change(input, detail) {
    input.dispatchEvent(new CustomEvent('change', { detail }));
}

describe('c-renewal-action-plan', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
        jest.useRealTimers();
    });

    it('shows a spinner while the workflow loads', () => {
        getWorkflow.mockReturnValue(new Promise(() => {}));
        const element = createElement('c-renewal-action-plan', {
            is: RenewalActionPlan
        });
        element.recordId = OPPORTUNITY_ID;
        document.body.appendChild(element);

        expect($(element, 'lightning-spinner').alternativeText).toBe(
            'Loading the action plan'
        );
    });

    it('reads the workflow of the record and its current plan, and starts nothing', async () => {
        await mount();

        expect(getWorkflow).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID
        });
        expect(getActionPlan).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID,
            executionId: EXECUTION_ID
        });
        expect(startWorkflow).not.toHaveBeenCalled();
    });

    it('shows the stage, urgency, days to renewal and which planner wrote the plan', async () => {
        const { element } = await mount();

        expect(text(header(element, 'stage'))).toBe('Discovery');
        expect(text(header(element, 'urgency'))).toBe('Low urgency');
        expect(text(header(element, 'days'))).toBe(
            '165 days to renewal (May 9, 2027)'
        );
        expect(text(header(element, 'planner'))).toBe(
            'Written by the stage playbook'
        );
        // The playbook is the configured planner here, not a fallback: there is nothing to explain.
        expect(header(element, 'planner-note')).toBeNull();
        expect(text(header(element, 'plan-status'))).toBe('Version 1 · Draft');
    });

    it('renders every section of the plan', async () => {
        const { element } = await mount();

        const summary = child(element, 'c-action-plan-summary');
        expect(
            summary.querySelectorAll('[data-id="completed-step"]')
        ).toHaveLength(4);
        // A step still waiting is listed under its own heading, not as completed.
        const waiting = summary.querySelectorAll('[data-id="waiting-step"]');
        expect([...waiting].map(text)).toEqual([
            expect.stringMatching(/^CSM Assessment:/)
        ]);
        // Decisions are listed once, under Key decisions, not again on each step.
        expect(summary.querySelector('[data-id="step-decision"]')).toBeNull();
        expect(
            summary.querySelectorAll('[data-id="key-decision"]')
        ).toHaveLength(DRAFT.plan.summary.keyDecisions.length);

        const aiTasks = child(element, 'c-action-plan-ai-tasks');
        expect(aiTasks.querySelectorAll('li[data-key]')).toHaveLength(
            DRAFT.plan.aiTasks.length
        );
        expect(text(aiTasks.querySelector('[data-id="change"]'))).toContain(
            'Primary_Contact__c Sarah Chen → Eric Estrada'
        );
        expect(aiTasks.querySelectorAll('[data-id="include"]')).toHaveLength(
            DRAFT.plan.aiTasks.length
        );

        const csmTasks = child(element, 'c-action-plan-csm-tasks');
        expect(csmTasks.querySelectorAll('li[data-key]')).toHaveLength(
            DRAFT.plan.csmTasks.length
        );
        expect(text(csmTasks.querySelector('[data-id="meta"]'))).toBe(
            'P2 · Due Dec 1, 2026 · Simple · 30 minutes'
        );
        const subTasks = csmTasks.querySelectorAll('[data-id="sub-task"]');
        expect(subTasks).toHaveLength(4);
        expect([...subTasks].every((box) => box.disabled)).toBe(true);

        const timeline = child(element, 'c-action-plan-timeline');
        const steps = timeline.querySelectorAll('[data-id="timeline-step"]');
        expect(steps).toHaveLength(DRAFT.plan.timeline.length);
        expect(
            [...timeline.querySelectorAll('[data-id="owner"]')].map(text)
        ).toEqual(DRAFT.plan.timeline.map((step) => step.owner));

        const metrics = child(element, 'c-action-plan-metrics');
        expect(
            [...metrics.querySelectorAll('[data-id="metric-value"]')].map(text)
        ).toEqual(DRAFT.plan.summary.keyMetrics.map((metric) => metric.value));

        const next = child(element, 'c-action-plan-next-workflow');
        expect(text(next.querySelector('[data-id="next-workflow"]'))).toContain(
            'Prepare Renewal'
        );
        expect(text(next.querySelector('[data-id="trigger-date"]'))).toBe(
            'Starts Dec 18, 2026'
        );
        expect(next.querySelectorAll('[data-id="condition"]')).toHaveLength(
            DRAFT.plan.nextWorkflow.conditions.length
        );
    });

    it('offers Regenerate, Edit Tasks and Finalize on a draft', async () => {
        const { element } = await mount();

        expect($$(element, 'lightning-button').map((b) => b.label)).toEqual([
            'Regenerate',
            'Edit Tasks',
            'Finalize Action Plan'
        ]);
    });

    it('shows an empty state and generates the first plan', async () => {
        generateActionPlan.mockResolvedValue(json(DRAFT));
        const { element, toasts } = await mount({
            plan: null,
            execution: executionWithoutPlan()
        });

        expect(getActionPlan).not.toHaveBeenCalled();
        expect(text($(element, '[data-id="empty"]'))).toContain(
            'No action plan yet'
        );
        expect(button(element, 'generate').label).toBe('Generate Action Plan');

        button(element, 'generate').click();
        await flushPromises();

        expect(generateActionPlan).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID,
            executionId: EXECUTION_ID
        });
        expect($(element, '[data-id="empty"]')).toBeNull();
        expect($(element, 'c-action-plan-ai-tasks')).not.toBeNull();
        expect(toasts).toEqual([
            {
                title: 'Action plan generated',
                message: 'Version 1 is ready for review.',
                variant: 'success'
            }
        ]);
    });

    it('shows the service message when generation fails', async () => {
        generateActionPlan.mockRejectedValue(
            serviceError('The model did not answer in time.')
        );
        const { element, toasts } = await mount({
            plan: null,
            execution: executionWithoutPlan()
        });

        button(element, 'generate').click();
        await flushPromises();

        expect(text($(element, '[data-id="action-error"]'))).toBe(
            'The action plan could not be generated. The model did not answer in time.'
        );
        expect(toasts[0]).toMatchObject({
            variant: 'error',
            message: 'The model did not answer in time.'
        });
        expect(button(element, 'generate').disabled).toBe(false);
    });

    it('shows a load error in words and retries', async () => {
        getWorkflow.mockRejectedValueOnce(
            serviceError(
                'This opportunity does not exist or you do not have access to it.'
            )
        );
        getWorkflow.mockResolvedValue(json(EXECUTION));
        getActionPlan.mockResolvedValue(json(DRAFT));
        const element = createElement('c-renewal-action-plan', {
            is: RenewalActionPlan
        });
        element.recordId = OPPORTUNITY_ID;
        document.body.appendChild(element);
        await flushPromises();

        const panel = text(
            child(element, 'c-error-panel').querySelector(
                '[data-id="error-panel"]'
            )
        );
        expect(panel).toContain('The action plan could not be loaded.');
        expect(panel).toContain(
            'This opportunity does not exist or you do not have access to it.'
        );

        button(element, 'retry').click();
        await flushPromises();

        expect(getWorkflow).toHaveBeenCalledTimes(2);
        expect($(element, 'c-error-panel')).toBeNull();
        expect(text(header(element, 'stage'))).toBe('Discovery');
    });

    it('refreshes the workflow and plan from the card action', async () => {
        const { element } = await mount();

        $(element, 'lightning-button-icon[data-id="refresh"]').click();
        await flushPromises();

        expect(getWorkflow).toHaveBeenCalledTimes(2);
        expect(getActionPlan).toHaveBeenCalledTimes(2);
    });

    it('reloads when the record page refreshes (RefreshView API), e.g. after the Close Date is edited', async () => {
        registerRefreshHandler.mockReturnValue(42);
        const { element } = await mount();
        expect(registerRefreshHandler).toHaveBeenCalledTimes(1);
        const [context, handler] = registerRefreshHandler.mock.calls[0];
        // The form Lightning Locker accepts as well as LWS: the host element and a handler bound to the component.
        expect(context).toBe(element);

        getWorkflow.mockResolvedValue(
            json({
                execution: {
                    ...EXECUTION.execution,
                    daysToRenewal: 130,
                    renewalDate: '2027-04-04',
                    stage: 'Prepare'
                }
            })
        );
        // Called unbound, as a container may call it: it must carry its own `this`.
        const refreshed = await handler();
        await flushPromises();

        expect(refreshed).toBe(true);
        expect(getWorkflow).toHaveBeenCalledTimes(2);
        expect(text(header(element, 'stage'))).toBe('Prepare');
        expect(text(header(element, 'days'))).toBe(
            '130 days to renewal (Apr 4, 2027)'
        );

        element.remove();
        expect(unregisterRefreshHandler).toHaveBeenCalledWith(42);
    });

    it('tells the RefreshView API when the reload failed', async () => {
        await mount();
        const [context, handler] = registerRefreshHandler.mock.calls[0];
        getWorkflow.mockRejectedValue(serviceError('Service down'));

        expect(await handler.call(context)).toBe(false);
    });

    it('viewing the opportunity 10 times reads 10 times and starts no workflow', async () => {
        getWorkflow.mockResolvedValue(json({ execution: null }));
        for (let view = 0; view < 10; view++) {
            const element = createElement('c-renewal-action-plan', {
                is: RenewalActionPlan
            });
            element.recordId = OPPORTUNITY_ID;
            document.body.appendChild(element);
            // eslint-disable-next-line no-await-in-loop
            await flushPromises();
            element.remove();
        }

        expect(getWorkflow).toHaveBeenCalledTimes(10);
        expect(startWorkflow).not.toHaveBeenCalled();
        expect(getActionPlan).not.toHaveBeenCalled();
    });

    it('offers Start when no workflow was started, and starts it only on the click', async () => {
        const { element } = await mount({
            plan: null,
            execution: { execution: null }
        });

        expect(text($(element, '[data-id="not-started"]'))).toContain(
            'No renewal workflow yet'
        );
        expect(startWorkflow).not.toHaveBeenCalled();
        startWorkflow.mockResolvedValue(json(executionWithoutPlan()));

        button(element, 'start').click();
        await flushPromises();

        expect(startWorkflow).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID
        });
        expect(text(header(element, 'stage'))).toBe('Discovery');
        expect(button(element, 'generate').label).toBe('Generate Action Plan');
        expect(getActionPlan).not.toHaveBeenCalled();
    });

    it('shows why the start failed and keeps the Start button', async () => {
        const { element } = await mount({
            plan: null,
            execution: { execution: null }
        });
        startWorkflow.mockRejectedValue(serviceError('Salesforce is busy.'));

        button(element, 'start').click();
        await flushPromises();

        expect(text($(element, '[data-id="action-error"]'))).toBe(
            'The workflow could not be started. Salesforce is busy.'
        );
        expect(button(element, 'start').disabled).toBe(false);
    });

    it('shows the execution a Flow or the bulk start made, without starting one', async () => {
        const { element } = await mount();

        expect(text(header(element, 'stage'))).toBe('Discovery');
        expect($(element, '[data-id="not-started"]')).toBeNull();
        expect(startWorkflow).not.toHaveBeenCalled();
    });

    it('says the plan must follow when the Close Date is edited on the record page, and follows it on the click', async () => {
        const { element } = await mount();
        getRecord.emit({
            fields: { CloseDate: { value: EXECUTION.execution.renewalDate } }
        });
        await flushPromises();
        expect($(element, '[data-id="replan-notice"]')).toBeNull();

        getRecord.emit({ fields: { CloseDate: { value: '2027-04-04' } } });
        await flushPromises();

        const notice = text($(element, '[data-id="replan-notice"]'));
        expect(notice).toContain('The Close Date moved from');
        expect(notice).toContain('to Apr 4, 2027');
        expect(startWorkflow).not.toHaveBeenCalled();

        startWorkflow.mockResolvedValue(
            json({
                execution: {
                    ...EXECUTION.execution,
                    daysToRenewal: 130,
                    renewalDate: '2027-04-04',
                    stage: 'Prepare',
                    stageChange: null
                }
            })
        );
        button(element, 'follow-date').click();
        await flushPromises();

        expect(startWorkflow).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID
        });
        expect(text(header(element, 'stage'))).toBe('Prepare');
        expect($(element, '[data-id="replan-notice"]')).toBeNull();
    });

    it("shows the service's stage change as the re-plan notice", async () => {
        const { element } = await mount({
            execution: {
                execution: {
                    ...EXECUTION.execution,
                    stageChange: {
                        stage: 'Prepare',
                        daysToRenewal: 130,
                        renewalDate: '2027-04-04',
                        message:
                            'The renewal date (2027-04-04) now puts this opportunity in Prepare, not Discovery'
                    }
                }
            }
        });

        expect(text($(element, '[data-id="replan-notice"]'))).toContain(
            'Follow it to start the Prepare workflow.'
        );
    });

    it('says which fields the plan left out or masks because Salesforce hides them from this user', async () => {
        const { element } = await mount();
        expect($(element, '[data-id="withheld-notice"]')).toBeNull();

        const masked = {
            plan: {
                ...DRAFT.plan,
                withheld: [
                    {
                        field: 'Opportunity.Amount',
                        label: 'Amount',
                        message: 'Amount is not visible to you'
                    },
                    {
                        field: 'Contact.Email',
                        label: "Contacts' email addresses",
                        message:
                            "Contacts' email addresses is not visible to you"
                    }
                ]
            }
        };
        const second = await mount({ plan: masked });
        expect(text($(second.element, '[data-id="withheld-notice"]'))).toBe(
            "Not visible to you, so left out of this plan or shown as [withheld]: Amount, Contacts' email addresses."
        );
    });

    it('turns CSM tasks into labelled inputs in edit mode and moves focus to the first', async () => {
        const focus = jest.spyOn(HTMLElement.prototype, 'focus');
        const { element } = await mount();

        button(element, 'edit-button').click();
        await flushPromises();

        const csmTasks = child(element, 'c-action-plan-csm-tasks');
        const inputs = [...csmTasks.querySelectorAll('[data-field]')];
        expect(inputs).toHaveLength(DRAFT.plan.csmTasks.length * 4);
        expect(inputs.every((input) => input.label)).toBe(true);
        expect(focus.mock.contexts[0].dataset.field).toBe('action');
        expect(button(element, 'edit-button').label).toBe('Done Editing');

        button(element, 'edit-button').click();
        await flushPromises();
        expect(csmTasks.querySelectorAll('[data-field]')).toHaveLength(0);
        expect(focus.mock.contexts.at(-1).dataset.id).toBe('edit-button');
    });

    it('finalizes with the confirmed edits and shows the finalized plan', async () => {
        const focus = jest.spyOn(HTMLElement.prototype, 'focus');
        LightningConfirm.open.mockResolvedValue(true);
        finalizeActionPlan.mockResolvedValue(json(SETTLED));
        const { element, toasts } = await mount();

        const aiTasks = child(element, 'c-action-plan-ai-tasks');
        change(aiTasks.querySelector('[data-key="ai-3"][data-id="include"]'), {
            checked: false
        });
        button(element, 'edit-button').click();
        await flushPromises();
        const csmTasks = child(element, 'c-action-plan-csm-tasks');
        change(
            csmTasks.querySelector('[data-key="csm-2"][data-field="action"]'),
            { value: 'Book the QBR for Dec 3' }
        );
        change(
            csmTasks.querySelector('[data-key="csm-2"][data-field="priority"]'),
            { value: '1' }
        );
        change(
            csmTasks.querySelector('[data-key="csm-4"][data-id="include"]'),
            { checked: false }
        );
        await flushPromises();

        button(element, 'finalize').click();
        await flushPromises();

        expect(LightningConfirm.open).toHaveBeenCalledWith(
            expect.objectContaining({
                label: 'Finalize the action plan?',
                message: expect.stringContaining(
                    '2 AI tasks will change Salesforce records and 5 CSM tasks will be assigned to you.'
                )
            })
        );
        const request = finalizeActionPlan.mock.calls[0][0];
        expect(request).toMatchObject({
            opportunityId: OPPORTUNITY_ID,
            executionId: EXECUTION_ID,
            planId: DRAFT.plan.id
        });
        const [csm2, csm4] = ['csm-2', 'csm-4'].map((key) =>
            DRAFT.plan.csmTasks.find((task) => task.key === key)
        );
        expect(JSON.parse(request.editsJson)).toEqual([
            { key: 'ai-3', include: false },
            {
                key: 'csm-2',
                include: true,
                action: 'Book the QBR for Dec 3',
                description: csm2.description,
                priority: 1,
                dueDate: csm2.dueDate
            },
            {
                key: 'csm-4',
                include: false,
                action: csm4.action,
                description: csm4.description,
                priority: csm4.priority,
                dueDate: csm4.dueDate
            }
        ]);
        expect(text(header(element, 'plan-status'))).toBe(
            'Version 1 · Finalized'
        );
        // A finalized plan can only be re-planned (into a new draft), not edited or finalized again.
        expect(
            $$(element, 'lightning-button').map((b) => b.dataset.id)
        ).toEqual(['replan']);
        expect(focus.mock.contexts.at(-1).dataset.id).toBe('plan-status');
        expect(toasts.at(-1)).toMatchObject({
            variant: 'success',
            title: 'Action plan finalized'
        });
    });

    it('shows edits before finalize: an unticked AI task will not run', async () => {
        const { element } = await mount();
        const aiTasks = child(element, 'c-action-plan-ai-tasks');

        change(aiTasks.querySelector('[data-key="ai-2"][data-id="include"]'), {
            checked: false
        });
        await flushPromises();

        const status = aiTasks.querySelector(
            'li[data-key="ai-2"] [data-id="status"]'
        );
        expect(text(status)).toBe('Will not run');
        expect(
            aiTasks.querySelector('[data-key="ai-2"][data-id="include"]')
                .checked
        ).toBe(false);
    });

    it('does not finalize when the confirmation is cancelled', async () => {
        LightningConfirm.open.mockResolvedValue(false);
        const { element } = await mount();

        button(element, 'finalize').click();
        await flushPromises();

        expect(finalizeActionPlan).not.toHaveBeenCalled();
        expect(text(header(element, 'plan-status'))).toBe('Version 1 · Draft');
    });

    it('keeps the draft and shows why when finalize fails', async () => {
        LightningConfirm.open.mockResolvedValue(true);
        finalizeActionPlan.mockRejectedValue(
            serviceError(
                'This plan was replaced by version 2. Refresh to review it.'
            )
        );
        const { element, toasts } = await mount();

        button(element, 'finalize').click();
        await flushPromises();

        expect(text($(element, '[data-id="action-error"]'))).toBe(
            'The action plan could not be finalized. This plan was replaced by version 2. Refresh to review it.'
        );
        expect(toasts[0]).toMatchObject({
            variant: 'error',
            title: 'The action plan could not be finalized.'
        });
        expect(button(element, 'finalize').disabled).toBe(false);
    });

    it('asks before Regenerate discards unsaved edits', async () => {
        LightningConfirm.open.mockResolvedValue(false);
        const { element } = await mount();
        change(
            child(element, 'c-action-plan-ai-tasks').querySelector(
                '[data-id="include"]'
            ),
            { checked: false }
        );
        await flushPromises();

        button(element, 'generate').click();
        await flushPromises();

        expect(LightningConfirm.open).toHaveBeenCalledWith(
            expect.objectContaining({ label: 'Regenerate the action plan?' })
        );
        expect(generateActionPlan).not.toHaveBeenCalled();
    });

    it('regenerates a draft without asking when nothing was edited', async () => {
        generateActionPlan.mockResolvedValue(
            json({ plan: { ...DRAFT.plan, version: 2 } })
        );
        const { element } = await mount();

        button(element, 'generate').click();
        await flushPromises();

        expect(LightningConfirm.open).not.toHaveBeenCalled();
        expect(text(header(element, 'plan-status'))).toBe('Version 2 · Draft');
    });

    it('re-plans a finalized plan into a new draft that says what changed', async () => {
        const diff = {
            previousVersion: 1,
            added: [
                { key: 'csm-9', owner: 'CSM', action: 'Send the ROI summary' }
            ],
            removed: [],
            changed: [
                {
                    key: 'csm-1',
                    previousKey: 'csm-1',
                    owner: 'CSM',
                    action: 'Call Eric Estrada',
                    fields: [
                        {
                            field: 'dueDate',
                            from: '2026-12-01',
                            to: '2026-12-08'
                        }
                    ]
                }
            ],
            unchanged: 6,
            renewalDateMoved: null
        };
        generateActionPlan.mockResolvedValue(
            json({ plan: { ...DRAFT.plan, version: 2, diff } })
        );
        const { element } = await mount({ plan: SETTLED });
        expect(button(element, 'finalize')).toBeNull();

        button(element, 'replan').click();
        await flushPromises();

        expect(generateActionPlan).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID,
            executionId: EXECUTION_ID
        });
        expect(text(header(element, 'plan-status'))).toBe('Version 2 · Draft');
        expect(text(header(element, 'diff'))).toContain(
            'Since version 1: 1 added, 0 removed, 1 changed, 6 unchanged.'
        );
        expect(text(header(element, 'diff'))).toContain(
            'Changed: Call Eric Estrada (dueDate)'
        );
        expect(button(element, 'finalize')).not.toBeNull();
    });

    it('saves a ticked sub-task', async () => {
        updateTask.mockResolvedValue(json({ task: { status: 'completed' } }));
        const { element } = await mount({ plan: SETTLED });
        const csmTasks = child(element, 'c-action-plan-csm-tasks');
        const box = csmTasks.querySelector('[data-id="sub-task"]');
        expect(box.disabled).toBe(false);

        change(box, { checked: true });
        await flushPromises();

        expect(updateTask).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID,
            taskId: SETTLED.plan.csmTasks.find((t) => t.subTasks.length)
                .subTasks[0].taskId,
            changesJson: '{"status":"completed"}'
        });
        expect(csmTasks.querySelector('[data-id="sub-task"]').checked).toBe(
            true
        );
    });

    it('marks a CSM task done, then re-reads the plan so its timeline step follows', async () => {
        updateTask.mockResolvedValue(json({ task: { status: 'completed' } }));
        const { element } = await mount({ plan: SETTLED });
        const task = SETTLED.plan.csmTasks[0];
        const timelineAfter = SETTLED.plan.timeline.map((step, index) => {
            return index === 1 ? { ...step, status: 'done' } : step;
        });
        const csmAfter = SETTLED.plan.csmTasks.map((t) => {
            return t.taskId === task.taskId ? { ...t, status: 'completed' } : t;
        });
        getActionPlan.mockResolvedValue(
            json({
                plan: {
                    ...SETTLED.plan,
                    csmTasks: csmAfter,
                    timeline: timelineAfter
                }
            })
        );
        const csmTasks = child(element, 'c-action-plan-csm-tasks');
        change(csmTasks.querySelector('[data-id="complete"]'), {
            checked: true
        });
        await flushPromises();

        expect(updateTask).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID,
            taskId: task.taskId,
            changesJson: '{"status":"completed"}'
        });
        expect(getActionPlan).toHaveBeenCalledTimes(2);
        expect(text(csmTasks.querySelector('[data-id="status"]'))).toBe(
            'Completed'
        );
        const steps = child(element, 'c-action-plan-timeline').querySelectorAll(
            '[data-id="timeline-step"]'
        );
        expect(steps[1].dataset.status).toBe('done');
        expect(text(steps[1].querySelector('[data-id="status"]'))).toBe('Done');
    });

    it('unticks a sub-task again when saving fails', async () => {
        updateTask.mockRejectedValue(serviceError('The task was deleted.'));
        const { element, toasts } = await mount({ plan: SETTLED });
        const csmTasks = child(element, 'c-action-plan-csm-tasks');

        change(csmTasks.querySelector('[data-id="sub-task"]'), {
            checked: true
        });
        await flushPromises();

        expect(csmTasks.querySelector('[data-id="sub-task"]').checked).toBe(
            false
        );
        expect(toasts[0]).toMatchObject({
            variant: 'error',
            message: 'The task was deleted.'
        });
    });

    it('shows the follow-up an engagement rule added, with why it was added', async () => {
        const { element } = await mount({ plan: ENGAGED });
        const added = child(element, 'c-action-plan-added-tasks');

        expect(
            [...added.querySelectorAll('[data-id="explanation"]')].map(text)
        ).toEqual([
            'Why: flagged because the email sent on Nov 25 to priya.patel@acmelogistics.example bounced (Salesforce marked the email bounced)',
            'Why: created because the email sent on Nov 25 had no open after 3 business days'
        ]);
    });

    it('approves a proposed contact update, then re-reads the plan', async () => {
        const { element } = await mount({ plan: ENGAGED });
        approveTask.mockResolvedValue(json({ task: {} }));
        const approved = {
            plan: {
                ...ENGAGED.plan,
                addedTasks: ENGAGED.plan.addedTasks.map((t) => ({
                    ...t,
                    awaitingApproval: false
                }))
            }
        };
        getActionPlan.mockResolvedValue(json(approved));
        child(element, 'c-action-plan-added-tasks')
            .querySelector('lightning-button[data-id="approve"]')
            .click();
        await flushPromises();

        expect(approveTask).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID,
            taskId: ENGAGED.plan.addedTasks.find((t) => t.awaitingApproval)
                .taskId
        });
        expect(
            child(element, 'c-action-plan-added-tasks').querySelectorAll(
                'lightning-button[data-id="approve"]'
            )
        ).toHaveLength(0);
    });

    it('shows each AI task status and why a failed one failed', async () => {
        const { element } = await mount({ plan: SETTLED });
        const aiTasks = child(element, 'c-action-plan-ai-tasks');

        expect(
            [...aiTasks.querySelectorAll('[data-id="status"]')].map(text)
        ).toEqual(['Done', 'Failed', 'Done']);
        expect(text(aiTasks.querySelector('[data-id="failure"]'))).toBe(
            'Failed: Salesforce FIELD_CUSTOM_VALIDATION_EXCEPTION: Reminders cannot be set during the quarter-end freeze'
        );
        expect(aiTasks.querySelectorAll('[data-id="include"]')).toHaveLength(0);
    });

    describe('live updates', () => {
        beforeEach(() => {
            jest.useFakeTimers();
        });

        const mountWithFakeTimers = async (plan) => {
            getWorkflow.mockResolvedValue(json(EXECUTION));
            getActionPlan.mockResolvedValue(json(plan));
            const element = createElement('c-renewal-action-plan', {
                is: RenewalActionPlan
            });
            element.recordId = OPPORTUNITY_ID;
            document.body.appendChild(element);
            await jest.advanceTimersByTimeAsync(0);
            return element;
        };

        it('polls while AI tasks are queued or running and stops once they settle', async () => {
            const element = await mountWithFakeTimers(RUNNING);
            expect(getActionPlan).toHaveBeenCalledTimes(1);
            expect(header(element, 'live')).not.toBeNull();
            const statuses = () =>
                [
                    ...child(
                        element,
                        'c-action-plan-ai-tasks'
                    ).querySelectorAll('[data-id="status"]')
                ].map(text);
            // The reminder waits for the CFO meeting request (a CSM task).
            expect(statuses()).toEqual(['Done', 'Waiting', 'Running']);

            await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
            expect(getActionPlan).toHaveBeenCalledTimes(2);

            getActionPlan.mockResolvedValue(json(SETTLED));
            await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
            expect(getActionPlan).toHaveBeenCalledTimes(3);
            expect(statuses()).toEqual(['Done', 'Failed', 'Done']);
            expect(header(element, 'live')).toBeNull();

            await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 4);
            expect(getActionPlan).toHaveBeenCalledTimes(3);
        });

        it('starts polling right after finalize', async () => {
            LightningConfirm.open.mockResolvedValue(true);
            finalizeActionPlan.mockResolvedValue(json(RUNNING));
            const element = await mountWithFakeTimers(DRAFT);

            button(element, 'finalize').click();
            await jest.advanceTimersByTimeAsync(0);
            expect(getActionPlan).toHaveBeenCalledTimes(1);

            await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
            expect(getActionPlan).toHaveBeenCalledTimes(2);
        });

        it('never polls a draft', async () => {
            await mountWithFakeTimers(DRAFT);

            await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 5);

            expect(getActionPlan).toHaveBeenCalledTimes(1);
        });

        it('stops polling when the component leaves the page', async () => {
            const element = await mountWithFakeTimers(RUNNING);

            document.body.removeChild(element);
            await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 3);

            expect(getActionPlan).toHaveBeenCalledTimes(1);
        });

        it('stops polling and says so when a poll fails', async () => {
            const element = await mountWithFakeTimers(RUNNING);
            getActionPlan.mockRejectedValue(
                serviceError(
                    'The action plan service failed (HTTP 502). Try again later.'
                )
            );

            await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
            await jest.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 3);

            expect(getActionPlan).toHaveBeenCalledTimes(2);
            expect(text($(element, '[data-id="action-error"]'))).toBe(
                'Live updates stopped. Refresh to try again. The action plan service failed (HTTP 502). Try again later.'
            );
        });
    });
});
