/**
 * lightning/navigation for the preview: there is no Lightning Experience to navigate in, so a navigation is recorded
 * (window.previewNavigations, for the browser test) and announced on the page with the record it would open.
 */
const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

const urlOf = (pageReference) => {
    const { recordId, objectApiName, actionName } =
        pageReference.attributes || {};
    return `/lightning/r/${objectApiName}/${recordId}/${actionName || 'view'}`;
};

export const NavigationMixin = (Base) =>
    class extends Base {
        [Navigate](pageReference) {
            window.previewNavigations = [
                ...(window.previewNavigations || []),
                pageReference
            ];
            const note = document.getElementById('navigation');
            if (note) {
                note.textContent = `Salesforce would open ${urlOf(pageReference)}`;
            }
        }

        [GenerateUrl](pageReference) {
            return Promise.resolve(urlOf(pageReference));
        }
    };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;
