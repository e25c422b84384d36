import { callService } from './client.js';

/** RenewalActionPlanController.getPortfolio: blank arguments are left out, as the controller does. */
export default function getPortfolio({ owner, stage, risk, sortBy, cursor }) {
    const params = new URLSearchParams();
    const given = { owner, stage, risk, sort: sortBy, pageSize: '200', cursor };
    for (const [name, value] of Object.entries(given)) {
        if (value) {
            params.set(name, value);
        }
    }
    return callService('GET', `/api/portfolio?${params}`);
}
