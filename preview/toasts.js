/** Shows ShowToastEvent toasts as SLDS toasts, the way Lightning Experience does on a record page. */

const ICONS = {
    success: 'success',
    error: 'error',
    warning: 'warning',
    info: 'info'
};
const DISMISS_AFTER_MS = {
    success: 4000,
    info: 4000,
    warning: 8000,
    error: 10000
};

export function listenForToasts(target = document) {
    const container = document.createElement('div');
    container.className = 'slds-notify_container slds-is-fixed';
    container.setAttribute('aria-live', 'polite');
    document.body.appendChild(container);

    target.addEventListener('lightning__showtoast', (event) => {
        const {
            title = '',
            message = '',
            variant = 'info'
        } = event.detail || {};
        const toast = document.createElement('div');
        toast.className = `slds-notify slds-notify_toast slds-theme_${ICONS[variant] || 'info'}`;
        toast.setAttribute('role', variant === 'error' ? 'alert' : 'status');
        toast.dataset.variant = variant;
        const body = document.createElement('div');
        body.className = 'slds-notify__content';
        const heading = document.createElement('h2');
        heading.className = 'slds-text-heading_small';
        heading.textContent = title;
        const text = document.createElement('p');
        text.textContent = message;
        body.append(heading, text);
        toast.append(body);
        container.append(toast);
        setTimeout(() => toast.remove(), DISMISS_AFTER_MS[variant] || 4000);
    });
}
