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

/*
 * Widths for a 1280 px laptop screen (about 1200 px of table in a card): headers wrap instead of being cut short
 * (wrap-table-header), the fixed columns take what their values need, and the Risks column, whose reasons are the
 * longest text, gets the rest. No column has the header menu (its only items were text wrapping). The Owner column
 * shows only in the team's book, where the owners differ.
 */
const fixed = (column, initialWidth) => ({
    ...column,
    initialWidth,
    hideDefaultActions: true
});

const COLUMNS = [
    fixed(
        {
            label: 'Opportunity',
            fieldName: 'name',
            type: 'button',
            wrapText: true,
            typeAttributes: {
                label: { fieldName: 'name' },
                name: 'open',
                variant: 'base',
                title: 'Open the opportunity'
            }
        },
        190
    ),
    fixed({ label: 'Account', fieldName: 'accountName', wrapText: true }, 120),
    fixed({ label: 'Owner', fieldName: 'ownerName', wrapText: true }, 110),
    fixed(
        {
            label: 'Amount',
            fieldName: 'amount',
            type: 'currency',
            typeAttributes: { maximumFractionDigits: 0 },
            sortable: true
        },
        105
    ),
    fixed({ label: 'Renewal date', fieldName: 'renewalDate' }, 100),
    fixed(
        {
            label: 'Days to renewal',
            fieldName: 'daysToRenewal',
            type: 'number',
            sortable: true
        },
        95
    ),
    fixed({ label: 'Stage', fieldName: 'stageName', sortable: true }, 100),
    fixed({ label: 'Plan', fieldName: 'planLabel', wrapText: true }, 85),
    fixed({ label: 'Tasks', fieldName: 'tasksText', wrapText: true }, 110),
    fixed(
        {
            label: 'Last engagement',
            fieldName: 'lastEngagementText',
            wrapText: true
        },
        105
    ),
    {
        label: 'Risks',
        fieldName: 'riskText',
        sortable: true,
        wrapText: true,
        hideDefaultActions: true
    }
];

/** The columns of a book: the Owner column only when the rows may belong to several owners. */
export function columnsFor(owner) {
    return COLUMNS.filter(
        (column) => owner === 'team' || column.fieldName !== 'ownerName'
    );
}

/** Open, overdue and failed AI tasks in one short cell, e.g. "3 open, 1 overdue, 1 AI failed". */
function tasksText(row) {
    const parts = [`${row.openTasks ?? 0} open`];
    if (row.overdueTasks) {
        parts.push(`${row.overdueTasks} overdue`);
    }
    if (row.failedAiTasks) {
        parts.push(`${row.failedAiTasks} AI failed`);
    }
    return parts.join(', ');
}

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
        tasksText: tasksText(row),
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
    columns = columnsFor('me');
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
        this.columns = columnsFor(this.owner);
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
