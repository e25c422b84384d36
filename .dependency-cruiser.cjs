// `npm run check:imports`: the import boundaries and no import cycles, part of `npm test` (dependency-cruiser).
// Every rule has a test that breaks it on a small fixture and sees it fail (scripts/import-boundaries.test.ts).

/**
 * What a processor may import besides its port (processors/port.ts), its own folder, zod and Node's own modules:
 * pure helpers of the service it shares rather than copies. Nothing here reads the database, runs a workflow or
 * calls Salesforce.
 */
const PROCESSOR_SHARED = [
  '^service/src/calendar/dates\\.ts$', // IsoDate and IsoDateTime schemas
  '^service/src/calendar/org-calendar\\.ts$', // the Holiday SOQL and how a holiday falls (meeting-scheduler)
  '^service/src/salesforce/ids\\.ts$', // Salesforce ids: the pattern, the 15/18-character key, the SOQL literal
  '^service/src/salesforce/soql\\.ts$', // the SOQL literal helpers (one escaping rule)
  '^service/src/words\\.ts$', // plural()
];

/** The production code: what `npm start` and the scripts run. */
const PRODUCT = '^(service/src|scripts|processors)/';
const DB = '^service/src/db/';
const JSFORCE = '(^|/)node_modules/(jsforce|@jsforce/[^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'product-imports-no-tests',
      comment: 'Nothing the product runs (service/src, scripts, processors) imports test code from tests/.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: '^tests/' },
    },
    {
      name: 'bench-imports-no-tests',
      comment: 'Benches share helpers with the tests through testkit/, not tests/.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^tests/' },
    },
    {
      name: 'emulator-stands-alone',
      comment: 'The org emulator is a tool of its own: it imports neither tests/ nor testkit/.',
      severity: 'error',
      from: { path: '^dev/' },
      to: { path: '^(tests|testkit)/' },
    },
    {
      name: 'processors-not-db-workflows-jsforce',
      comment:
        'Processors (the port and the registry too) reach the database, the workflows and Salesforce only through the services the executor gives them.',
      severity: 'error',
      from: { path: '^processors/' },
      to: { path: [DB, '^service/src/workflows/', JSFORCE] },
    },
    {
      name: 'processor-only-through-port',
      comment: `A processor imports its port (processors/port.ts), its own folder, zod and node: modules, and only these pure shared helpers: ${PROCESSOR_SHARED.join(', ')}. Its tests may use fixtures besides.`,
      severity: 'error',
      from: { path: '^processors/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^processors/$1/', '^processors/port\\.ts$', '(^|/)node_modules/zod/', ...PROCESSOR_SHARED],
      },
    },
    {
      name: 'routes-read-through-read-model',
      comment: 'Routes read through the read model (service/src/read-model/) and write through the workflows: no route imports db/.',
      severity: 'error',
      from: { path: '^service/src/routes/' },
      to: { path: DB },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere in the TypeScript (type-only imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|\\.data|force-app|preview)/' },
    // Type-only imports count: a route may not reach db/ for a row type either.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
    skipAnalysisNotInRules: true,
  },
};
