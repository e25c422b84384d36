import { createElement } from '@lwc/engine-dom';
import ActionPlanMeetingSlots from 'c/actionPlanMeetingSlots';
import getMeetingSlots from '@salesforce/apex/RenewalActionPlanController.getMeetingSlots';
import bookMeeting from '@salesforce/apex/RenewalActionPlanController.bookMeeting';

jest.mock(
    '@salesforce/apex/RenewalActionPlanController.getMeetingSlots',
    () => ({ default: jest.fn() }),
    { virtual: true }
);
jest.mock(
    '@salesforce/apex/RenewalActionPlanController.bookMeeting',
    () => ({ default: jest.fn() }),
    { virtual: true }
);

const SLOTS = require('./data/slots.json');
const OPPORTUNITY_ID = '0065e0000000001AAA';
const TASK_ID = '00000000-0000-4000-8000-000000000005';

/** Lets pending promises and the re-render they cause finish. */
// eslint-disable-next-line @lwc/lwc/no-async-operation
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function mount() {
    const element = createElement('c-action-plan-meeting-slots', {
        is: ActionPlanMeetingSlots
    });
    element.opportunityId = OPPORTUNITY_ID;
    element.taskId = TASK_ID;
    document.body.appendChild(element);
    return element;
}

const all = (element, id) =>
    Array.from(element.shadowRoot.querySelectorAll(`[data-id="${id}"]`));

describe('c-action-plan-meeting-slots', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows the three proposed slots in the org time zone', async () => {
        getMeetingSlots.mockResolvedValue(JSON.stringify(SLOTS));
        const element = mount();
        all(element, 'find')[0].click();
        await flush();
        expect(getMeetingSlots).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID,
            taskId: TASK_ID
        });
        expect(all(element, 'slot').map((s) => s.textContent)).toEqual([
            '2026-12-07 08:00 (America/New_York)',
            '2026-12-08 08:00 (America/New_York)',
            '2026-12-09 08:00 (America/New_York)'
        ]);
        expect(all(element, 'pick')).toHaveLength(3);
    });

    it('books the picked slot and says the booking is queued', async () => {
        getMeetingSlots.mockResolvedValue(JSON.stringify(SLOTS));
        bookMeeting.mockResolvedValue(JSON.stringify({ task: { id: 'x' } }));
        const element = mount();
        all(element, 'find')[0].click();
        await flush();
        all(element, 'pick')[1].click();
        await flush();
        expect(bookMeeting).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID,
            taskId: TASK_ID,
            slotStart: '2026-12-08T13:00:00.000Z'
        });
        expect(all(element, 'booked')).toHaveLength(1);
        expect(all(element, 'pick')).toHaveLength(0);
    });

    it('approves the proposal as is with the first slot', async () => {
        getMeetingSlots.mockResolvedValue(JSON.stringify(SLOTS));
        bookMeeting.mockResolvedValue(JSON.stringify({ task: { id: 'x' } }));
        const element = mount();
        all(element, 'find')[0].click();
        await flush();
        all(element, 'book-first')[0].click();
        await flush();
        expect(bookMeeting).toHaveBeenCalledWith({
            opportunityId: OPPORTUNITY_ID,
            taskId: TASK_ID,
            slotStart: null
        });
    });

    it('shows the service error when a booking is refused', async () => {
        getMeetingSlots.mockResolvedValue(JSON.stringify(SLOTS));
        bookMeeting.mockRejectedValue({
            body: { message: 'The meeting is already being booked' }
        });
        const element = mount();
        all(element, 'find')[0].click();
        await flush();
        all(element, 'pick')[0].click();
        await flush();
        expect(all(element, 'error')[0].textContent).toBe(
            'The meeting is already being booked'
        );
        expect(all(element, 'booked')).toHaveLength(0);
    });

    it('says when a meeting is already booked, and when no slot is free', async () => {
        getMeetingSlots.mockResolvedValue(
            JSON.stringify({ slots: [], booking: null })
        );
        const element = mount();
        all(element, 'find')[0].click();
        await flush();
        expect(all(element, 'no-slots')).toHaveLength(1);
        getMeetingSlots.mockResolvedValue(
            JSON.stringify({ ...SLOTS, booking: { id: 'b' } })
        );
        const again = mount();
        all(again, 'find')[0].click();
        await flush();
        expect(all(again, 'booked')).toHaveLength(1);
        expect(all(again, 'slot')).toHaveLength(0);
    });
});
