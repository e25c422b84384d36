// Synthetic shadow first, as in Lightning Experience: SLDS styles reach inside the components.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import RenewalActionPlan from 'c/renewalActionPlan';
import { previewContext } from './apex/client.js';
import { listenForToasts } from './toasts.js';

const root = document.getElementById('root');
const { apiKey, userId, opportunityId } = previewContext();

if (apiKey && userId && opportunityId) {
    listenForToasts();
    const element = createElement('c-renewal-action-plan', {
        is: RenewalActionPlan
    });
    element.recordId = opportunityId;
    root.appendChild(element);
} else {
    root.innerHTML = `<div class="slds-box slds-theme_warning" role="alert">
        <p class="slds-text-heading_small">This preview needs the service's API key, a user and an opportunity.</p>
        <p>Open the link that <code>npm start</code> prints, of the form
        <code>/preview/#key=&lt;SERVICE_API_KEY&gt;&amp;user=&lt;005 user id&gt;&amp;opportunity=&lt;006 opportunity id&gt;</code>.</p>
    </div>`;
}
