/**
 * lightning/platformShowToastEvent for the preview: Lightning Experience shows these toasts itself; here
 * the page listens for the same event (see ../toasts.js).
 */
export class ShowToastEvent extends CustomEvent {
    constructor(toast) {
        super('lightning__showtoast', {
            bubbles: true,
            composed: true,
            cancelable: true,
            detail: toast
        });
    }
}
