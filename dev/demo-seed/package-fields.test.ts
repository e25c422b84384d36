// The demo org has every custom field force-app deploys, as force-app defines it.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgEmulator } from '../org-emulator/index.ts';
import { PACKAGE_SOURCE, startDemoOrg } from './index.ts';

interface FieldXml {
  fullName: string;
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
  externalId?: boolean;
  unique?: boolean;
  referenceTo?: string;
}

/** Every CustomField file of force-app, by object folder; custom metadata types (`__mdt`) are Apex configuration. */
function packageFields(): { object: string; field: FieldXml }[] {
  const parser = new XMLParser();
  const objects = join(PACKAGE_SOURCE, 'objects');
  return readdirSync(objects)
    .filter((object) => !object.endsWith('__mdt'))
    .flatMap((object) => {
      const dir = join(objects, object, 'fields');
      const files = (() => {
        try {
          return readdirSync(dir);
        } catch {
          return [];
        }
      })();
      return files.map((file) => ({ object, field: parser.parse(readFileSync(join(dir, file), 'utf8')).CustomField as FieldXml }));
    });
}

const DESCRIBE_TYPES: Record<string, (f: FieldXml) => string> = {
  Text: () => 'string',
  LongTextArea: () => 'textarea',
  Checkbox: () => 'boolean',
  Currency: () => 'currency',
  Percent: () => 'percent',
  Number: (f) => (f.scale === 0 ? 'int' : 'double'),
  Date: () => 'date',
  Lookup: () => 'reference',
};

describe("the demo org's custom fields", () => {
  let org: OrgEmulator;
  let conn: Connection;
  beforeAll(async () => {
    org = await startDemoOrg();
    conn = new Connection({ instanceUrl: org.url, accessToken: 'test-token', version: '62.0' });
  });
  afterAll(() => org?.close());

  it('describes every field in force-app with its type, length, precision, keys and reference', async () => {
    const fields = packageFields();
    expect(fields.length).toBeGreaterThanOrEqual(10);
    for (const { object, field } of fields) {
      // Fields defined on Activity are Task's and Event's.
      for (const type of object === 'Activity' ? ['Task', 'Event'] : [object]) {
        const described = (await conn.sobject(type).describe()).fields.find((f) => f.name === field.fullName);
        const where = `${type}.${field.fullName}`;
        expect(described, where).toBeDefined();
        expect(described!.type, where).toBe(DESCRIBE_TYPES[field.type]!(field));
        if (field.length !== undefined) expect(described!.length, where).toBe(field.length);
        if (field.precision !== undefined) expect([described!.precision, described!.scale], where).toEqual([field.precision, field.scale]);
        expect(described!.externalId, where).toBe(field.externalId === true);
        expect(described!.unique, where).toBe(field.unique === true);
        if (field.referenceTo) expect(described!.referenceTo, where).toEqual([field.referenceTo]);
      }
    }
  });
});
