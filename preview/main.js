// Synthetic shadow first, as in Lightning Experience: SLDS styles reach inside the components.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import RenewalActionPlan from 'c/renewalActionPlan';
import RenewalPortfolio from 'c/renewalPortfolio';
import { previewContext } from './apex/client.js';
import { listenForToasts } from './toasts.js';

const root = document.getElementById('root');
const { apiKey, userId, opportunityId } = previewContext();
// /preview/portfolio shows the book of renewals (as on the Home page); any other path one opportunity's plan.
const isPortfolio = /\/portfolio\/?$/.test(window.location.pathname);

if (isPortfolio && apiKey && userId) {
    document.getElementById('title').textContent = 'Renewal Portfolio';
    document.getElementById('subtitle').textContent =
        'Local preview: the same Lightning Web Component as on the Home page, running against this service.';
    root.appendChild(
        createElement('c-renewal-portfolio', { is: RenewalPortfolio })
    );
} else if (apiKey && userId && opportunityId) {
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
        <code>/preview/#key=&lt;SERVICE_API_KEY&gt;&amp;user=&lt;005 user id&gt;&amp;opportunity=&lt;006 opportunity id&gt;</code>,
        or <code>/preview/portfolio#key=&lt;SERVICE_API_KEY&gt;&amp;user=&lt;005 user id&gt;</code> for the renewal portfolio.</p>
    </div>`;
}
