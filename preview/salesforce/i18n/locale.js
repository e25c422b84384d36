/** @salesforce/i18n/locale for the preview: the browser's language, as Salesforce gives the user's locale. */
export default (typeof navigator !== 'undefined' && navigator.language) ||
    'en-US';
