/**
 * `npm run build:preview`: compiles the renewalActionPlan and renewalPortfolio components from force-app/ with LWC OSS,
 * lightning-base-components and SLDS into preview/dist/, with the Apex imports mapped to preview/apex/
 * (browser calls of the service's HTTP API). The service serves preview/dist at /preview/.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LWC_DIR = join(ROOT, 'force-app', 'main', 'default', 'lwc');
const PREVIEW = join(ROOT, 'preview');
export const PREVIEW_DIST = join(PREVIEW, 'dist');
const SLDS_CSS = 'assets/styles/salesforce-lightning-design-system.min.css';
const APEX_METHODS = [
  'getWorkflow',
  'startWorkflow',
  'getActionPlan',
  'generateActionPlan',
  'finalizeActionPlan',
  'updateTask',
  'approveTask',
  'getPortfolio',
  'getMeetingSlots',
  'bookMeeting',
  'createCalendarFeed',
  'revokeCalendarFeed',
];

/** Module records: the `c` namespace from force-app, and the platform modules the preview stands in for. */
function moduleRecords() {
  const components = readdirSync(LWC_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ name: `c/${entry.name}`, path: join(LWC_DIR, entry.name, `${entry.name}.js`) }));
  const apex = APEX_METHODS.map((method) => ({
    name: `@salesforce/apex/RenewalActionPlanController.${method}`,
    path: join(PREVIEW, 'apex', `${method}.js`),
  }));
  return [
    ...components,
    ...apex,
    { name: 'lightning/platformShowToastEvent', path: join(PREVIEW, 'lightning', 'platformShowToastEvent.js') },
    { name: 'lightning/refresh', path: join(PREVIEW, 'lightning', 'refresh.js') },
    { name: 'lightning/navigation', path: join(PREVIEW, 'lightning', 'navigation.js') },
    { name: 'lightning/uiRecordApi', path: join(PREVIEW, 'lightning', 'uiRecordApi.js') },
    { name: '@salesforce/schema/Opportunity.CloseDate', path: join(PREVIEW, 'salesforce', 'schema', 'Opportunity.CloseDate.js') },
    { name: '@salesforce/i18n/locale', path: join(PREVIEW, 'salesforce', 'i18n', 'locale.js') },
    { name: '@salesforce/gate/bc.260.enableComboboxElementInternals', path: join(PREVIEW, 'salesforce', 'gate', 'closed.js') },
    { npm: 'lightning-base-components' },
  ];
}

/** Builds preview/dist/ (index.html, main.js and its chunks, the SLDS stylesheet); returns the entry file. */
async function buildPreview({ quiet = false } = {}): Promise<string> {
  const started = Date.now();
  // Loaded here, not at the top: `npm start` checks that the preview is up to date without loading the compiler.
  const [{ default: lwc }, { nodeResolve }, { default: replacePlugin }, { rollup }] = await Promise.all([
    import('@lwc/rollup-plugin'),
    import('@rollup/plugin-node-resolve'),
    import('@rollup/plugin-replace'),
    import('rollup'),
  ]);
  // The package's types describe its CommonJS build; Node loads its ESM build, whose default export is the plugin.
  const replace = replacePlugin as unknown as typeof replacePlugin.default;
  rmSync(PREVIEW_DIST, { recursive: true, force: true });
  const bundle = await rollup({
    input: join(PREVIEW, 'main.js'),
    plugins: [
      replace({
        preventAssignment: true,
        values: { 'process.env.NODE_ENV': JSON.stringify('production'), 'import.meta.env.SSR': 'false' },
      }),
      lwc({ rootDir: ROOT, modules: moduleRecords(), enableDynamicComponents: true }),
      nodeResolve(),
    ],
    onwarn(warning, warn) {
      // lightning-base-components' own templates and modules warn; they are not ours to fix.
      const fromBaseComponents = [warning.id, ...(warning.ids ?? [])].some((id) => id?.includes('lightning-base-components'));
      if (fromBaseComponents || warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
      warn(warning);
    },
  });
  await bundle.write({ dir: PREVIEW_DIST, format: 'esm', entryFileNames: 'main.js', chunkFileNames: 'chunks/[name]-[hash].js' });
  await bundle.close();

  const slds = join(ROOT, 'node_modules', '@salesforce-ux', 'design-system', SLDS_CSS);
  mkdirSync(join(PREVIEW_DIST, dirname(SLDS_CSS)), { recursive: true });
  copyFileSync(slds, join(PREVIEW_DIST, SLDS_CSS));
  copyFileSync(join(PREVIEW, 'index.html'), join(PREVIEW_DIST, 'index.html'));
  if (!quiet) console.log(`Preview built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${join(PREVIEW_DIST, 'index.html')}`);
  return join(PREVIEW_DIST, 'index.html');
}

const newestChange = (dir: string): number =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => !name.startsWith('dist') && !name.includes('__tests__'))
    .reduce((newest, name) => Math.max(newest, statSync(join(dir, name)).mtimeMs), 0);

/** Whether preview/dist is newer than every component and preview source. */
export function isPreviewUpToDate(): boolean {
  const entry = join(PREVIEW_DIST, 'main.js');
  const builtAt = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  return builtAt > Math.max(newestChange(LWC_DIR), newestChange(PREVIEW));
}

/**
 * Builds the preview unless it is up to date. `say` hears when a build starts and how long it took, so an install
 * never sits silent for the ~20-50 s a build takes.
 */
export async function ensurePreviewBuilt(say?: (line: string) => void): Promise<string> {
  if (isPreviewUpToDate()) return join(PREVIEW_DIST, 'index.html');
  const started = Date.now();
  say?.('Building the local preview of the component (LWC OSS, once; about 20-50 s)...');
  const entry = await buildPreview({ quiet: true });
  say?.(`Local preview built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return entry;
}

/**
 * `npm install` builds the preview (postinstall), so the first `npm start` does not wait for it. It never fails an
 * install: without the dev dependencies (a production install) or on a build error it says so and leaves the build
 * to `npm start` or `npm run build:preview`.
 */
async function buildAtInstall(): Promise<void> {
  const missing = ['rollup', '@lwc/rollup-plugin', 'lightning-base-components'].filter(
    (name) => !existsSync(join(ROOT, 'node_modules', name)),
  );
  if (missing.length) {
    console.log(`Local preview not built: ${missing.join(', ')} not installed (a production install); npm run build:preview builds it.`);
    return;
  }
  await ensurePreviewBuilt((line) => console.log(line)).catch((err: Error) =>
    console.warn(`Local preview not built (${err.message}); npm start builds it, or run npm run build:preview.`),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv.includes('--at-install')) await buildAtInstall();
  else
    await buildPreview().catch((err: Error) => {
      console.error(`The preview could not be built: ${err.message}`);
      process.exit(1);
    });
}
