/** @salesforce/schema/Opportunity.CloseDate for the preview: the field reference Salesforce compiles the import to. */
export default { objectApiName: 'Opportunity', fieldApiName: 'CloseDate' };
