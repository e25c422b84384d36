import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { ChangeEventSchema } from './change-event.ts';

// A change event schema shaped like Salesforce's: the header first, then optional fields, one of them a compound field
// (Name, with its own sub-fields), as GetSchema returns for an object with a compound name.
const header = {
  type: 'record',
  name: 'ChangeEventHeader',
  fields: [
    { name: 'entityName', type: 'string' },
    { name: 'recordIds', type: { type: 'array', items: 'string' } },
    {
      name: 'changeType',
      type: {
        type: 'enum',
        name: 'ChangeType',
        symbols: [
          'CREATE',
          'UPDATE',
          'DELETE',
          'UNDELETE',
          'GAP_CREATE',
          'GAP_UPDATE',
          'GAP_DELETE',
          'GAP_UNDELETE',
          'GAP_OVERFLOW',
          'SNAPSHOT',
        ],
      },
    },
    { name: 'changeOrigin', type: 'string' },
    { name: 'transactionKey', type: 'string' },
    { name: 'sequenceNumber', type: 'int' },
    { name: 'commitTimestamp', type: 'long' },
    { name: 'commitNumber', type: 'long' },
    { name: 'commitUser', type: 'string' },
    { name: 'nulledFields', type: { type: 'array', items: 'string' } },
    { name: 'diffFields', type: { type: 'array', items: 'string' } },
    { name: 'changedFields', type: { type: 'array', items: 'string' } },
  ],
};
const name = {
  type: 'record',
  name: 'Switchable_PersonName',
  fields: ['Salutation', 'FirstName', 'LastName'].map((n) => ({ name: n, type: ['null', 'string'], default: null })),
};
const schema = {
  type: 'record',
  name: 'ContactChangeEvent',
  namespace: 'com.sforce.eventbus',
  fields: [
    { name: 'ChangeEventHeader', type: header },
    { name: 'AccountId', type: ['null', 'string'], default: null },
    { name: 'Email', type: ['null', 'string'], default: null },
    { name: 'Name', type: ['null', name], default: null },
    { name: 'Birthdate', type: ['null', { type: 'int', logicalType: 'date' }], default: null },
  ],
};

function payload(changedFields: string[], nulledFields: string[] = [], fields: Record<string, unknown> = {}) {
  return avro.Type.forSchema(schema as avro.Schema).toBuffer({
    ChangeEventHeader: {
      entityName: 'Contact',
      recordIds: ['003000000000001AAA'],
      changeType: 'UPDATE',
      changeOrigin: '',
      transactionKey: 'abc',
      sequenceNumber: 1,
      commitTimestamp: 1_764_064_800_000,
      commitNumber: 42,
      commitUser: '005000000000001AAA',
      nulledFields,
      diffFields: [],
      changedFields,
    },
    AccountId: null,
    Email: null,
    Name: null,
    Birthdate: null,
    ...fields,
  });
}

describe('change event decoding', () => {
  const decoder = new ChangeEventSchema(JSON.stringify(schema));

  it('turns the changedFields bitmap into field names: bit i is the schema field i, least significant first', () => {
    // 0b10100: fields 2 (Email) and 4 (Birthdate).
    const event = decoder.decode(payload(['0x14'], [], { Email: 'a@example.com', Birthdate: 20_000 }));
    expect(event.changedFields).toEqual(['Email', 'Birthdate']);
    expect(event.fields).toMatchObject({ Email: 'a@example.com', Birthdate: 20_000, AccountId: null });
    expect(event.header).toMatchObject({
      entityName: 'Contact',
      changeType: 'UPDATE',
      recordIds: ['003000000000001AAA'],
      commitNumber: 42,
    });
    expect(event.header.commitTimestamp).toBe(1_764_064_800_000);
  });

  it('reads a compound field sub-bitmap `position-0x…` as Parent.Child names', () => {
    // Name is field 3; 0x6 sets its sub-fields 1 and 2 (FirstName, LastName).
    const event = decoder.decode(payload(['0x8', '3-0x6'], ['3-0x1']));
    expect(event.changedFields).toEqual(['Name', 'Name.FirstName', 'Name.LastName']);
    expect(event.nulledFields).toEqual(['Name.Salutation']);
  });

  it('reads no names from empty bitmaps (a create event)', () => {
    expect(decoder.decode(payload([])).changedFields).toEqual([]);
  });
});
