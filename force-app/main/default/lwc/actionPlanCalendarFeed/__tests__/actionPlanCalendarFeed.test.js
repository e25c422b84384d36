import { createElement } from '@lwc/engine-dom';
import ActionPlanCalendarFeed from 'c/actionPlanCalendarFeed';
import createCalendarFeed from '@salesforce/apex/RenewalActionPlanController.createCalendarFeed';
import revokeCalendarFeed from '@salesforce/apex/RenewalActionPlanController.revokeCalendarFeed';

jest.mock(
    '@salesforce/apex/RenewalActionPlanController.createCalendarFeed',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
jest.mock(
    '@salesforce/apex/RenewalActionPlanController.revokeCalendarFeed',
    () => ({ default: jest.fn() }),
    { virtual: true }
);

const URL = 'https://service.example.com/calendar/abc.ics';

/** Lets pending promises and the re-render they cause finish. */
// eslint-disable-next-line @lwc/lwc/no-async-operation
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function mount() {
    const element = createElement('c-action-plan-calendar-feed', {
        is: ActionPlanCalendarFeed
    });
    document.body.appendChild(element);
    return element;
}
const one = (element, id) =>
    element.shadowRoot.querySelector(`[data-id="${id}"]`);

describe('c-action-plan-calendar-feed', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('makes the feed URL and shows it to copy', async () => {
        createCalendarFeed.mockResolvedValue(JSON.stringify({ url: URL }));
        const element = mount();
        expect(one(element, 'url')).toBeNull();
        one(element, 'subscribe').click();
        await flush();
        expect(createCalendarFeed).toHaveBeenCalledTimes(1);
        expect(one(element, 'url').value).toBe(URL);
        expect(one(element, 'subscribe').label).toBe(
            'New URL (the old one stops working)'
        );
    });

    it('revokes the URL and hides it', async () => {
        createCalendarFeed.mockResolvedValue(JSON.stringify({ url: URL }));
        revokeCalendarFeed.mockResolvedValue(JSON.stringify({ revoked: 1 }));
        const element = mount();
        one(element, 'subscribe').click();
        await flush();
        one(element, 'revoke').click();
        await flush();
        expect(revokeCalendarFeed).toHaveBeenCalledTimes(1);
        expect(one(element, 'url')).toBeNull();
        expect(one(element, 'revoked')).not.toBeNull();
    });

    it('shows the service error', async () => {
        createCalendarFeed.mockRejectedValue({
            body: { message: 'The action plan service could not be reached' }
        });
        const element = mount();
        one(element, 'subscribe').click();
        await flush();
        expect(one(element, 'error').textContent).toBe(
            'The action plan service could not be reached'
        );
    });
});
