/**
 * lightning/uiRecordApi for the preview: Lightning Data Service does not exist outside Salesforce, so getRecord
 * never delivers a record here (the card then shows no Close Date notice; jest covers that path with the LDS test
 * adapter). A wire adapter in the shape LWC OSS calls: constructed with the data callback, then connect/update.
 */
export class getRecord {
    constructor(dataCallback) {
        this.dataCallback = dataCallback;
    }

    connect() {
        this.dataCallback({ data: undefined, error: undefined });
    }

    update() {}

    disconnect() {}
}

/** The value of `field` (a `{ fieldApiName }` import or an `Object.Field` string) in a record. */
export function getFieldValue(record, field) {
    const name =
        typeof field === 'string' ? field.split('.').pop() : field.fieldApiName;
    return record?.fields?.[name]?.value;
}
