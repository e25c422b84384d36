import { LightningElement, api } from 'lwc';
import { reduceErrors } from 'c/ldsUtils';

/** Shows what went wrong, in words, with the service's own messages underneath. */
export default class ErrorPanel extends LightningElement {
    @api friendlyMessage = 'Something went wrong.';
    /** One error or an array of errors, as Apex or a wire adapter rejected with. */
    @api errors;

    get messages() {
        return reduceErrors(this.errors).map((text, index) => ({
            id: `message-${index}`,
            text
        }));
    }
}
