import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { format, resolveConfig } from 'prettier';

/** A generated Markdown page as the repository keeps it: the lines joined and formatted with the project's Prettier. */
export async function formattedMarkdown(path: string, lines: string[]): Promise<string> {
  const options = (await resolveConfig(path)) ?? {};
  return format(`${lines.join('\n')}\n`, { ...options, filepath: path });
}

/**
 * The command line of a generator script: writes the page, or with `--check` exits 1 when the file on disk is not what
 * it would write (`npm run <command>` to refresh it).
 */
export async function writeOrCheck(doc: { path: string; page: string; command: string; summary: string }): Promise<void> {
  const name = relative(process.cwd(), doc.path);
  let current = '';
  try {
    current = readFileSync(doc.path, 'utf8');
  } catch {
    // Not written yet: not current.
  }
  if (process.argv.includes('--check')) {
    if (current !== doc.page) {
      console.error(`${name} is not current: run npm run ${doc.command}`);
      process.exit(1);
    }
    console.log(`${name} is current.`);
  } else {
    writeFileSync(doc.path, doc.page);
    console.log(`${name}: ${doc.summary}.`);
  }
}
