import { LightningElement } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import getPortfolio from '@salesforce/apex/RenewalActionPlanController.getPortfolio';

const STAGES = [
    'Monitor',
    'Discovery',
    'Prepare',
    'Engage',
    'Negotiate',
    'Finalize',
    'Signature',
    'Critical',
    'Emergency',
    'Overdue'
];

const RISKS = [
    { value: 'no-economic-buyer', label: 'No economic buyer' },
    { value: 'no-recent-engagement', label: 'No engagement in 30 days' },
    { value: 'overdue-tasks', label: 'Overdue tasks' },
    { value: 'renewal-date-moved', label: 'Renewal date moved' },
    { value: 'ai-tasks-failed', label: 'AI tasks failed' },
    { value: 'no-plan', label: 'No finalized plan' }
];

const PLAN_LABELS = {
    none: 'None',
    draft: 'Draft',
    finalized: 'Finalized',
    'needs-replan': 'Needs re-plan'
};

/** Column field name → the service's sort, ascending and descending. */
const SORTS = {
    daysToRenewal: ['daysToRenewal', '-daysToRenewal'],
    amount: ['amount', '-amount'],
    stageName: ['stage', '-stage'],
    riskText: ['risk', 'risk']
};

const COLUMNS = [
    {
        label: 'Opportunity',
        fieldName: 'name',
        type: 'button',
        typeAttributes: {
            label: { fieldName: 'name' },
            name: 'open',
            variant: 'base',
            title: 'Open the opportunity'
        }
    },
    { label: 'Account', fieldName: 'accountName' },
    { label: 'Owner', fieldName: 'ownerName' },
    {
        label: 'Amount',
        fieldName: 'amount',
        type: 'currency',
        sortable: true
    },
    { label: 'Renewal date', fieldName: 'renewalDate' },
    {
        label: 'Days to renewal',
        fieldName: 'daysToRenewal',
        type: 'number',
        sortable: true
    },
    { label: 'Stage', fieldName: 'stageName', sortable: true },
    { label: 'Plan', fieldName: 'planLabel' },
    { label: 'Open tasks', fieldName: 'openTasks', type: 'number' },
    { label: 'Overdue', fieldName: 'overdueTasks', type: 'number' },
    { label: 'AI failed', fieldName: 'failedAiTasks', type: 'number' },
    { label: 'Last engagement', fieldName: 'lastEngagementText' },
    {
        label: 'Risks',
        fieldName: 'riskText',
        sortable: true,
        wrapText: true
    }
];

/** A service row as the table shows it. */
export function toTableRow(row) {
    return {
        opportunityId: row.opportunityId,
        name: row.name,
        accountName: row.account?.name ?? '',
        ownerName: row.owner?.name ?? '',
        amount: row.amount,
        renewalDate: row.renewalDate,
        daysToRenewal: row.daysToRenewal,
        stageName: row.stage?.name ?? '',
        planLabel: PLAN_LABELS[row.planStatus] ?? row.planStatus,
        openTasks: row.openTasks,
        overdueTasks: row.overdueTasks,
        failedAiTasks: row.failedAiTasks,
        lastEngagementText: row.lastEngagement ?? 'None on record',
        riskText: (row.risks ?? []).map((risk) => risk.reason).join('; ')
    };
}

/**
 * The book of renewals on the Home page or an app page: the user's open renewals (or their team's) with plan
 * status, tasks and risk flags, sorted and filtered by the service; each row opens its opportunity.
 */
export default class RenewalPortfolio extends NavigationMixin(
    LightningElement
) {
    columns = COLUMNS;
    rows = [];
    owner = 'me';
    stage = '';
    risk = '';
    sortBy = 'daysToRenewal';
    sortedBy = 'daysToRenewal';
    sortedDirection = 'asc';
    nextCursor = null;
    isLoading = true;
    error;

    ownerOptions = [
        { label: 'My renewals', value: 'me' },
        { label: "My team's renewals", value: 'team' }
    ];

    stageOptions = [
        { label: 'All stages', value: '' },
        ...STAGES.map((stage) => ({ label: stage, value: stage }))
    ];

    riskOptions = [
        { label: 'All renewals', value: '' },
        { label: 'Any risk', value: 'any' },
        ...RISKS
    ];

    connectedCallback() {
        this.load();
    }

    get hasRows() {
        return this.rows.length > 0;
    }

    get isEmpty() {
        return !this.isLoading && !this.error && this.rows.length === 0;
    }

    get hasMore() {
        return Boolean(this.nextCursor);
    }

    async load(cursor) {
        this.isLoading = true;
        this.error = undefined;
        try {
            const page = JSON.parse(
                await getPortfolio({
                    owner: this.owner,
                    stage: this.stage,
                    risk: this.risk,
                    sortBy: this.sortBy,
                    cursor: cursor || null
                })
            );
            const rows = page.rows.map(toTableRow);
            this.rows = cursor ? [...this.rows, ...rows] : rows;
            this.nextCursor = page.nextCursor;
        } catch (error) {
            this.error = error;
            if (!cursor) {
                this.rows = [];
            }
        } finally {
            this.isLoading = false;
        }
    }

    handleOwnerChange(event) {
        this.owner = event.detail.value;
        this.load();
    }

    handleStageChange(event) {
        this.stage = event.detail.value;
        this.load();
    }

    handleRiskChange(event) {
        this.risk = event.detail.value;
        this.load();
    }

    handleSort(event) {
        const { fieldName, sortDirection } = event.detail;
        const sorts = SORTS[fieldName];
        if (!sorts) {
            return;
        }
        this.sortedBy = fieldName;
        this.sortedDirection = sortDirection;
        this.sortBy = sortDirection === 'desc' ? sorts[1] : sorts[0];
        this.load();
    }

    handleLoadMore() {
        this.load(this.nextCursor);
    }

    handleRowAction(event) {
        const { row } = event.detail;
        this[NavigationMixin.Navigate]({
            type: 'standard__recordPage',
            attributes: {
                recordId: row.opportunityId,
                objectApiName: 'Opportunity',
                actionName: 'view'
            }
        });
    }
}
