import { createElement } from 'lwc';
import RenewalPortfolio, { toTableRow } from 'c/renewalPortfolio';
import getPortfolio from '@salesforce/apex/RenewalActionPlanController.getPortfolio';

const mockNavigate = jest.fn();
jest.mock(
    'lightning/navigation',
    () => {
        const Navigate = Symbol('Navigate');
        const NavigationMixin = (Base) =>
            class extends Base {
                [Navigate](pageReference) {
                    mockNavigate(pageReference);
                }
            };
        NavigationMixin.Navigate = Navigate;
        return { NavigationMixin };
    },
    { virtual: true }
);

jest.mock(
    '@salesforce/apex/RenewalActionPlanController.getPortfolio',
    () => ({ default: jest.fn() }),
    { virtual: true }
);

const PAGE = require('./data/portfolio.json');

// Resolves after the component's pending promise callbacks (the Apex call, then the re-render).
const flush = async () => {
    for (let i = 0; i < 5; i++) {
        // eslint-disable-next-line no-await-in-loop
        await Promise.resolve();
    }
};

async function mount() {
    const element = createElement('c-renewal-portfolio', {
        is: RenewalPortfolio
    });
    document.body.appendChild(element);
    await flush();
    return element;
}

const table = (element) =>
    element.shadowRoot.querySelector(
        'lightning-datatable[data-id="portfolio"]'
    );

describe('c-renewal-portfolio', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it("loads the user's book sorted by days to renewal and shows each row's plan status and risks", async () => {
        getPortfolio.mockResolvedValue(JSON.stringify(PAGE));
        const element = await mount();

        expect(getPortfolio).toHaveBeenCalledWith({
            owner: 'me',
            stage: '',
            risk: '',
            sortBy: 'daysToRenewal',
            cursor: null
        });
        const rows = table(element).data;
        expect(rows.map((r) => r.name)).toEqual([
            'Globex Manufacturing — FY27 Renewal',
            'Acme Logistics — FY27 Renewal'
        ]);
        expect(rows[1]).toMatchObject({
            planLabel: 'Needs re-plan',
            overdueTasks: 0,
            lastEngagementText: '2026-11-13',
            riskText:
                'No contact role is the Economic Buyer; The renewal date moved from 2027-05-09 to 2027-01-14 since the plan was finalized; 1 AI task failed'
        });
        expect(rows[0].riskText).toBe(
            'No contact role is the Economic Buyer; No customer engagement in 45 days (last on 2026-10-11); No finalized plan with 10 days to renewal'
        );
    });

    it('shows the Owner column only in the team book, and the tasks as one short cell', async () => {
        getPortfolio.mockResolvedValue(JSON.stringify(PAGE));
        const element = await mount();
        const labels = () => table(element).columns.map((c) => c.label);
        expect(labels()).not.toContain('Owner');
        expect(labels()).toContain('Tasks');

        const owner = element.shadowRoot.querySelector(
            'lightning-combobox[data-id="owner"]'
        );
        owner.dispatchEvent(
            new CustomEvent('change', { detail: { value: 'team' } })
        );
        await flush();
        expect(labels()).toContain('Owner');

        expect(
            toTableRow({ openTasks: 3, overdueTasks: 1, failedAiTasks: 1 })
                .tasksText
        ).toBe('3 open, 1 overdue, 1 AI failed');
        expect(
            toTableRow({ openTasks: 2, overdueTasks: 0, failedAiTasks: 0 })
                .tasksText
        ).toBe('2 open');
    });

    it('asks the service again when a sortable column is sorted, and marks the column', async () => {
        getPortfolio.mockResolvedValue(JSON.stringify(PAGE));
        const element = await mount();

        table(element).dispatchEvent(
            new CustomEvent('sort', {
                detail: { fieldName: 'amount', sortDirection: 'desc' }
            })
        );
        await flush();

        expect(getPortfolio).toHaveBeenLastCalledWith(
            expect.objectContaining({ sortBy: '-amount', cursor: null })
        );
        expect(table(element).sortedBy).toBe('amount');
        expect(table(element).sortedDirection).toBe('desc');
    });

    it('filters by owner, stage and risk', async () => {
        getPortfolio.mockResolvedValue(JSON.stringify(PAGE));
        const element = await mount();
        const change = (id, value) =>
            element.shadowRoot
                .querySelector(`lightning-combobox[data-id="${id}"]`)
                .dispatchEvent(
                    new CustomEvent('change', { detail: { value } })
                );

        change('owner', 'team');
        change('stage', 'Critical');
        change('risk', 'overdue-tasks');
        await flush();

        expect(getPortfolio).toHaveBeenLastCalledWith({
            owner: 'team',
            stage: 'Critical',
            risk: 'overdue-tasks',
            sortBy: 'daysToRenewal',
            cursor: null
        });
    });

    it('opens the opportunity of a row', async () => {
        getPortfolio.mockResolvedValue(JSON.stringify(PAGE));
        const element = await mount();

        table(element).dispatchEvent(
            new CustomEvent('rowaction', {
                detail: {
                    action: { name: 'open' },
                    row: toTableRow(PAGE.rows[1])
                }
            })
        );

        expect(mockNavigate).toHaveBeenCalledWith({
            type: 'standard__recordPage',
            attributes: {
                recordId: '0065e0000000001AAA',
                objectApiName: 'Opportunity',
                actionName: 'view'
            }
        });
    });

    it('loads the next page after the rows it has', async () => {
        getPortfolio
            .mockResolvedValueOnce(JSON.stringify(PAGE))
            .mockResolvedValueOnce(
                JSON.stringify({ rows: [PAGE.rows[0]], nextCursor: null })
            );
        const element = await mount();

        element.shadowRoot
            .querySelector('lightning-button[data-id="load-more"]')
            .click();
        await flush();

        expect(getPortfolio).toHaveBeenLastCalledWith(
            expect.objectContaining({ cursor: PAGE.nextCursor })
        );
        expect(table(element).data).toHaveLength(3);
        expect(
            element.shadowRoot.querySelector(
                'lightning-button[data-id="load-more"]'
            )
        ).toBeNull();
    });

    it("shows the service's message when the book cannot be loaded", async () => {
        getPortfolio.mockRejectedValue({
            body: { message: 'Salesforce is unavailable' }
        });
        const element = await mount();

        const panel = element.shadowRoot.querySelector('c-error-panel');
        expect(panel).not.toBeNull();
        expect(panel.errors).toEqual({
            body: { message: 'Salesforce is unavailable' }
        });
        expect(table(element)).toBeNull();
    });

    it('says so when no renewal matches', async () => {
        getPortfolio.mockResolvedValue(
            JSON.stringify({ rows: [], nextCursor: null })
        );
        const element = await mount();

        expect(
            element.shadowRoot.querySelector('[data-id="empty"]')
        ).not.toBeNull();
    });
});
