// Local Salesforce org emulator (not Salesforce): the custom fields a Salesforce DX package deploys, read from its
// source (`<source>/objects/<Object>/fields/<Field>.field-meta.xml`, Metadata API CustomField), so a field added to the
// package is a field of the emulated org. Custom fields on Task and Event are defined on Activity, as in Salesforce.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FieldDef, PackageFields } from './schema.ts';

/** Activity's custom fields are Task's and Event's (Object Reference, Activity). */
const OBJECTS_OF: Record<string, string[]> = { Activity: ['Task', 'Event'] };

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => ['value', 'referenceTo'].includes(name) });

/**
 * The custom fields of every object in a DX source folder (e.g. `force-app/main/default`). A field type the emulator
 * cannot model is an error naming the file (and OrgSchema refuses fields of an object it does not model), so no field
 * of the package is silently missing.
 */
export function readPackageFields(source: string): PackageFields {
  const fields: PackageFields = {};
  const objectsDir = join(source, 'objects');
  // A custom metadata type (`__mdt`) is configuration its Apex reads, not records of the REST API: not modelled.
  const objects = readdirSync(objectsDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.endsWith('__mdt'));
  for (const object of objects) {
    const dir = join(objectsDir, object.name, 'fields');
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.field-meta.xml'));
    } catch {
      continue; // an object folder with no fields (web links only)
    }
    for (const file of files.sort()) {
      const path = join(dir, file);
      const [name, def] = fieldFromXml(readFileSync(path, 'utf8'), path);
      for (const target of OBJECTS_OF[object.name] ?? [object.name]) (fields[target] ??= {})[name] = def;
    }
  }
  return fields;
}

interface CustomFieldXml {
  fullName?: string;
  type?: string;
  label?: string;
  length?: string;
  precision?: string;
  scale?: string;
  required?: string;
  unique?: string;
  externalId?: string;
  defaultValue?: string;
  referenceTo?: string[];
  relationshipName?: string;
  valueSet?: { restricted?: string; valueSetDefinition?: { value?: { fullName?: string; default?: string }[] } };
}

/** One CustomField: its API name and the emulator's definition of it. */
function fieldFromXml(xml: string, path: string): [string, FieldDef] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`${path}: not well-formed XML (${valid.err.msg}, line ${valid.err.line})`);
  const f = (parser.parse(xml) as { CustomField?: CustomFieldXml }).CustomField;
  if (!f?.fullName || !f.type) throw new Error(`${path}: a CustomField needs fullName and type`);
  const name = f.fullName;
  const flag = (v?: string) => v === 'true';
  const int = (v?: string) => (v === undefined ? undefined : Number(v));
  const common: Partial<FieldDef> = {
    label: f.label,
    ...(flag(f.required) ? { required: true } : {}),
    ...(flag(f.unique) ? { unique: true } : {}),
    ...(flag(f.externalId) ? { externalId: true } : {}),
  };
  const def = ((): FieldDef => {
    switch (f.type) {
      case 'Text':
        return { type: 'string', length: int(f.length) ?? 255 };
      case 'TextArea':
        return { type: 'textarea', length: 255 };
      case 'LongTextArea':
      case 'Html':
        return { type: 'textarea', length: int(f.length) ?? 32768 };
      case 'Email':
        return { type: 'email', length: 80 };
      case 'Phone':
        return { type: 'phone', length: 40 };
      case 'Url':
        return { type: 'string', length: 255 };
      case 'Checkbox':
        // Checkboxes always have a default (Metadata API: defaultValue is required for Checkbox).
        return { type: 'boolean', defaultValue: flag(f.defaultValue) };
      case 'Currency':
        return { type: 'currency', precision: int(f.precision), scale: int(f.scale) };
      case 'Percent':
        return { type: 'percent', precision: int(f.precision), scale: int(f.scale) };
      case 'Number':
        return { type: int(f.scale) === 0 ? 'int' : 'double', precision: int(f.precision), scale: int(f.scale) };
      case 'Date':
        return { type: 'date' };
      case 'DateTime':
        return { type: 'datetime' };
      case 'Picklist': {
        const values = (f.valueSet?.valueSetDefinition?.value ?? []).map((v) => String(v.fullName));
        const byDefault = f.valueSet?.valueSetDefinition?.value?.find((v) => flag(v.default))?.fullName;
        return { type: 'picklist', length: 255, picklistValues: values, restricted: flag(f.valueSet?.restricted), defaultValue: byDefault };
      }
      case 'Lookup':
      case 'MasterDetail':
        // The parent relationship is the field's name with __r (`Primary_Contact__r`); the metadata's relationshipName
        // names the child relationship on the parent, which SOQL spells with __r too.
        return {
          type: 'reference',
          referenceTo: f.referenceTo ?? [],
          relationshipName: name.replace(/__c$/, '__r'),
          childRelationshipName: f.relationshipName,
          ...(f.type === 'MasterDetail' ? { required: true } : {}),
        };
      default:
        throw new Error(`${path}: the org emulator does not model custom fields of type ${f.type}`);
    }
  })();
  return [name, { ...def, ...common }];
}
