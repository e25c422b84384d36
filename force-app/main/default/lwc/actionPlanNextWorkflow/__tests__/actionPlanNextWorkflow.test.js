import { createElement } from 'lwc';
import ActionPlanNextWorkflow from 'c/actionPlanNextWorkflow';

describe('c-action-plan-next-workflow', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('says that no workflow follows the last stage', () => {
        const element = createElement('c-action-plan-next-workflow', {
            is: ActionPlanNextWorkflow
        });
        element.nextWorkflow = null;
        document.body.appendChild(element);

        expect(
            element.shadowRoot
                .querySelector('[data-id="no-next-workflow"]')
                .textContent.trim()
        ).toBe('This is the last stage: no workflow follows it.');
    });
});
