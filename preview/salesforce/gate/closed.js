/**
 * A closed Salesforce feature gate, for base-component features the preview cannot run: the OSS build opens every
 * gate, and the combobox's ElementInternals (gate bc.260.enableComboboxElementInternals) throws under the synthetic
 * shadow the preview uses, as Lightning Experience does.
 */
export default { isOpen: () => false };
