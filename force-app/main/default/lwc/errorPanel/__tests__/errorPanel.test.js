import { createElement } from 'lwc';
import ErrorPanel from 'c/errorPanel';

describe('c-error-panel', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
    });

    it('shows the friendly message and every error message as an alert', () => {
        const element = createElement('c-error-panel', { is: ErrorPanel });
        element.friendlyMessage = 'The plan could not be loaded.';
        element.errors = [
            { body: { message: 'Service down.' } },
            new Error('Timeout.')
        ];
        document.body.appendChild(element);

        const panel = element.shadowRoot.querySelector(
            '[data-id="error-panel"]'
        );
        expect(panel.getAttribute('role')).toBe('alert');
        expect(panel.querySelector('p').textContent).toBe(
            'The plan could not be loaded.'
        );
        expect(
            [...panel.querySelectorAll('li')].map((li) => li.textContent.trim())
        ).toEqual(['Service down.', 'Timeout.']);
    });
});
