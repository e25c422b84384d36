import avro from 'avsc';

/** The ChangeEventHeader of a Change Data Capture event (Change Data Capture Developer Guide, "ChangeEventHeader Fields"). */
interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: string;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
}

/** A decoded change event: its header with the bitmaps turned into field names, and the fields it carries. */
export interface ChangeEvent {
  header: ChangeEventHeader;
  /** Field names the bitmap fields stand for (compound sub-fields as `Parent.Child`). */
  changedFields: string[];
  nulledFields: string[];
  fields: Record<string, unknown>;
}

interface RecordType {
  fields: { name: string; type: avro.Type }[];
}

/** A change event schema (GetSchema's JSON), parsed once and used to decode every event that names its id. */
export class ChangeEventSchema {
  private readonly type: avro.Type;

  constructor(json: string) {
    this.type = avro.Type.forSchema(JSON.parse(json) as avro.Schema);
  }

  decode(payload: Buffer): ChangeEvent {
    const record = this.type.fromBuffer(payload) as Record<string, unknown> & { ChangeEventHeader: Record<string, unknown> };
    const raw = record.ChangeEventHeader;
    const header: ChangeEventHeader = {
      ...(raw as unknown as ChangeEventHeader),
      // avsc decodes Avro longs as numbers (exact up to 2^53, far beyond a millisecond timestamp or a commit number).
      commitTimestamp: Number(raw.commitTimestamp),
      commitNumber: Number(raw.commitNumber),
    };
    const fields = Object.fromEntries(Object.entries(record).filter(([name]) => name !== 'ChangeEventHeader'));
    return {
      header,
      changedFields: this.fieldNames(header.changedFields),
      nulledFields: this.fieldNames(header.nulledFields),
      fields,
    };
  }

  /**
   * The field names of a bitmap list (Pub/Sub API guide, "Event Deserialization Considerations"): the first entry,
   * `0x…`, has bit i set for the schema's top-level field i (least significant bit first); an entry `p-0x…` does the same
   * for the sub-fields of the compound field at position p.
   */
  fieldNames(bitmaps: string[]): string[] {
    const names: string[] = [];
    for (const bitmap of bitmaps) {
      const nested = /^(\d+)-(0x[0-9a-fA-F]+)$/.exec(bitmap);
      if (nested) {
        const parent = this.fields(this.type)[Number(nested[1])];
        const child = parent && recordOf(parent.type);
        if (parent && child) names.push(...setBits(nested[2]!, this.fields(child)).map((f) => `${parent.name}.${f.name}`));
      } else if (/^0x[0-9a-fA-F]+$/.test(bitmap)) names.push(...setBits(bitmap, this.fields(this.type)).map((f) => f.name));
    }
    return names;
  }

  private fields(type: avro.Type): RecordType['fields'] {
    return (type as unknown as RecordType).fields ?? [];
  }
}

function setBits<T>(hex: string, items: T[]): T[] {
  const bits = BigInt(hex);
  return items.filter((_, i) => (bits >> BigInt(i)) & 1n);
}

/** The record type inside an optional field (`["null", record]`), or the record itself. */
function recordOf(type: avro.Type): avro.Type | undefined {
  if ((type as unknown as RecordType).fields) return type;
  const branches = (type as unknown as { types?: avro.Type[] }).types ?? [];
  return branches.find((t) => (t as unknown as RecordType).fields);
}
