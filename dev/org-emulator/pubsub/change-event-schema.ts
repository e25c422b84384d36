// Local Salesforce org emulator (not Salesforce): the Avro schema of an object's change events and their encoding.
// Follows the Change Data Capture Developer Guide ("Change Event Message Structure", "ChangeEventHeader Fields") and
// the Pub/Sub API guide ("Event Deserialization Considerations": bitmap fields, dates as numbers).

import { createHash } from 'node:crypto';
import avro from 'avsc';
import type { FieldDef, ObjectDef, StoredRecord } from '../schema.ts';
import { parseDate, parseDateTime, DAY_MS } from '../time.ts';

/** The header every change event carries as its first field (position 0 of the bitmaps). */
const CHANGE_EVENT_HEADER = {
  type: 'record',
  name: 'ChangeEventHeader',
  namespace: 'com.salesforce.eventbus',
  fields: [
    { name: 'entityName', type: 'string' },
    { name: 'recordIds', type: { type: 'array', items: 'string' } },
    {
      name: 'changeType',
      type: {
        type: 'enum',
        name: 'ChangeType',
        namespace: 'com.salesforce.eventbus',
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

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';

interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: ChangeType;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  nulledFields: string[];
  diffFields: string[];
  changedFields: string[];
}

/** Fields a change event leaves out: the record id (it is in recordIds), formulas, and the bookkeeping fields. */
const LEFT_OUT = new Set(['Id', 'IsDeleted', 'SystemModstamp']);

const avroType = (def: FieldDef): unknown => {
  switch (def.type) {
    case 'boolean':
      return 'boolean';
    case 'currency':
    case 'double':
    case 'percent':
      return 'double';
    case 'int':
      return 'int';
    // "Date fields are converted to the number of days since the epoch; datetime fields to milliseconds since the epoch."
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'datetime':
      return { type: 'long', logicalType: 'timestamp-millis' };
    default:
      return 'string';
  }
};

/** The change event schema of one object: its Avro type, its JSON (what GetSchema returns) and its id. */
export class ChangeEventSchema {
  readonly fields: string[];
  readonly json: string;
  readonly id: string;
  readonly type: avro.Type;

  constructor(readonly object: ObjectDef) {
    this.fields = Object.entries(object.fields)
      .filter(([name, def]) => !LEFT_OUT.has(name) && !def.formula)
      .map(([name]) => name);
    const schema = {
      type: 'record',
      name: `${object.name}ChangeEvent`,
      namespace: 'com.sforce.eventbus',
      fields: [
        { name: 'ChangeEventHeader', type: CHANGE_EVENT_HEADER },
        ...this.fields.map((name) => ({ name, type: ['null', avroType(object.fields[name]!)], default: null })),
      ],
    };
    this.json = JSON.stringify(schema);
    // Schema ids are opaque to clients; a digest of the schema changes exactly when the schema does.
    this.id = createHash('sha256').update(this.json).digest('base64url').slice(0, 22);
    this.type = avro.Type.forSchema(schema as avro.Schema);
  }

  /** The Avro payload of one change: the header plus the given fields' values (the others null). */
  encode(header: ChangeEventHeader, values: StoredRecord): Buffer {
    const record: Record<string, unknown> = { ChangeEventHeader: header };
    for (const name of this.fields) record[name] = name in values ? this.wire(name, values[name]) : null;
    return this.type.toBuffer(record);
  }

  /**
   * A bitmap string of field names: bit i (least significant first) is the schema's field i, the header being 0,
   * written as hex with a `0x` prefix ("Event Deserialization Considerations", bitmap fields).
   */
  bitmap(names: string[]): string[] {
    if (names.length === 0) return [];
    let bits = 0n;
    for (const name of names) {
      const position = this.fields.indexOf(name);
      if (position >= 0) bits |= 1n << BigInt(position + 1);
    }
    return bits === 0n ? [] : [`0x${bits.toString(16).toUpperCase()}`];
  }

  private wire(name: string, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    const type = this.object.fields[name]!.type;
    if (type === 'date') return Math.round(parseDate(String(value))! / DAY_MS);
    if (type === 'datetime') return parseDateTime(String(value)) ?? null;
    if (type === 'boolean') return value === true;
    if (type === 'int') return Math.trunc(Number(value));
    if (type === 'currency' || type === 'double' || type === 'percent') return Number(value);
    return String(value);
  }
}
