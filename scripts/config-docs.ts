// `npm run docs:config`: writes docs/configuration.md, every environment variable the service reads, from the two
// places that already define them: the names, defaults and allowed values from `EnvSchema` (service/src/config.ts),
// the prose from config/.env.example (whose completeness service/src/config.test.ts checks). Nothing is typed twice,
// so after a merge adds a variable, rerunning this one command brings the page up to date; a test fails until it is.
// `--check` writes nothing and exits 1 when the page is not current.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvSchema } from '../service/src/config.ts';
import { formattedMarkdown, writeOrCheck } from './generated-doc.ts';

const ROOT = join(import.meta.dirname, '..');
export const CONFIGURATION_DOC = join(ROOT, 'docs', 'configuration.md');
const ENV_EXAMPLE = join(ROOT, 'config', '.env.example');

/** One variable as the page shows it. */
interface DocumentedVariable {
  name: string;
  section: string;
  defaultValue: string;
  allowed: string | undefined;
  description: string;
}

interface ZodNode {
  _zod: { def: { type: string; innerType?: ZodNode; in?: ZodNode; out?: ZodNode; entries?: Record<string, string> } };
  safeParse(value: unknown): { success: boolean; data?: unknown };
}

/** The schema's fields; `superRefine` keeps the object, an older zod wrapped it in a pipe (`in`). */
export function schemaFields(): Record<string, ZodNode> {
  const def = (EnvSchema as unknown as ZodNode & { _zod: { def: { shape?: Record<string, ZodNode> } } })._zod.def;
  return def.shape ?? (def.in as unknown as { _zod: { def: { shape: Record<string, ZodNode> } } })._zod.def.shape;
}

/** The enum a field accepts, found through its default/optional/pipe wrappers. */
function allowedValues(node: ZodNode | undefined): string[] | undefined {
  for (let n = node; n; n = n._zod.def.innerType ?? n._zod.def.in)
    if (n._zod.def.type === 'enum') return Object.values(n._zod.def.entries!);
  return undefined;
}

/** The value the service uses when the variable is unset, as a reader would write it in the environment. */
function defaultOf(node: ZodNode): string {
  const parsed = node.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return 'unset';
  const value = parsed.data;
  if (Array.isArray(value)) return `\`${value.join(',')}\``;
  if (typeof value === 'object' && value !== null) return 'built in (see its description)';
  return `\`${String(value)}\``;
}

/** config/.env.example read as sections and comment blocks: the comment above a run of `NAME=` lines describes each. */
export function exampleDescriptions(text = readFileSync(ENV_EXAMPLE, 'utf8')): Map<string, { section: string; description: string }> {
  const found = new Map<string, { section: string; description: string }>();
  let section = 'General';
  let comment: string[] = [];
  let afterVariable = false;
  for (const line of text.split('\n')) {
    const header = /^# --- (.*) ---$/.exec(line);
    const variable = /^([A-Z][A-Z0-9_]*)=/.exec(line);
    if (header) [section, comment, afterVariable] = [header[1]!, [], false];
    else if (variable) {
      found.set(variable[1]!, { section, description: comment.join(' ').replace(/ \n/g, '\n') });
      afterVariable = true;
    } else if (line.startsWith('#')) {
      if (afterVariable) [comment, afterVariable] = [[], false];
      const text = line.replace(/^#\s?/, '');
      // An indented comment line is an item of a list (SALESFORCE_NOTIFICATIONS' kinds): kept on its own line.
      // The prose comes first, the items after it, whatever their order in the file.
      if (/^\s{2,}\S/.test(text)) comment.push(`\n${text.trim().replace(/\s{2,}/, ': ')}`);
      else comment.splice(comment.findIndex((c) => c.startsWith('\n')) >>> 0, 0, text.trim());
    } else if (line.trim() === '') [comment, afterVariable] = [[], false];
  }
  return found;
}

/** Every variable of the schema, in the order of config/.env.example (then any it lacks, which its own test reports). */
export function documentedVariables(): DocumentedVariable[] {
  const fields = schemaFields();
  const prose = exampleDescriptions();
  const order = [...prose.keys(), ...Object.keys(fields).filter((name) => !prose.has(name))].filter((name) => name in fields);
  return order.map((name) => {
    const allowed = allowedValues(fields[name]);
    return {
      name,
      section: prose.get(name)?.section ?? 'Not yet described',
      defaultValue: defaultOf(fields[name]!),
      // Listed unless the prose already names every value.
      allowed: allowed?.every((v) => prose.get(name)?.description.includes(v)) ? undefined : allowed?.map((v) => `\`${v}\``).join(', '),
      description: prose.get(name)?.description ?? '',
    };
  });
}

/** The whole page, formatted as `prettier --check` wants it. */
export async function configurationDoc(): Promise<string> {
  const variables = documentedVariables();
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated by `npm run docs:config` from service/src/config.ts and config/.env.example; do not edit by hand. -->',
    '',
    `All ${variables.length} settings are environment variables, all optional: with none set, \`npm start\` runs on embedded`,
    'defaults (an embedded PostgreSQL server, the local Salesforce org emulator, the playbook planner). The service',
    'validates every one at start and stops with a message naming each bad variable. `config/.env.example` is the same',
    'list as a file to copy.',
  ];
  let section = '';
  // Variables described by one comment (PORT and HOST, the mirror's backoff pair...) share one entry.
  const entries: DocumentedVariable[][] = [];
  for (const v of variables) {
    const last = entries.at(-1);
    if (last && last[0]!.section === v.section && last[0]!.description === v.description && v.description) last.push(v);
    else entries.push([v]);
  }
  for (const entry of entries) {
    const first = entry[0]!;
    if (first.section !== section) {
      section = first.section;
      lines.push('', `## ${section}`, '');
    }
    const names = entry.map((v) => `\`${v.name}\``).join(', ');
    const defaults = entry.map((v) => v.defaultValue).join(', ');
    const allowed = entry.map((v) => v.allowed && `${entry.length > 1 ? `${v.name}: ` : ''}one of ${v.allowed}.`).filter(Boolean);
    const [text, ...items] = first.description.split('\n');
    lines.push(`- **${names}** (default ${defaults}): ${[text, ...allowed].filter(Boolean).join(' ')}`);
    for (const item of items) lines.push(`  - ${item}`);
  }
  return formattedMarkdown(CONFIGURATION_DOC, lines);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  await writeOrCheck({
    path: CONFIGURATION_DOC,
    page: await configurationDoc(),
    command: 'docs:config',
    summary: `${documentedVariables().length} variables`,
  });
}
