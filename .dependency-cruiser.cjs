// The layering of DESIGN.md, checked on every `npm test` (npm run check:boundaries):
//   routes → services (src/services, src/marketing) → domain / lib
//   durable-objects → domain / lib and types-only modules (what an object needs from outside
//   comes through the one port in durable-objects/port.ts, which src/index.ts implements)
//   only src/app.ts imports routes; src/domain does no I/O and knows nothing of HTTP.
// npm run check:boundaries (scripts/check-boundaries.ts) runs these rules on the tree, and on the
// fixtures in test/fixtures/boundaries/ that break each rule on purpose.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Cycles hide the real direction of a dependency; type-only cycles count too.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'only-app-imports-routes',
      severity: 'error',
      comment: 'Routes are mounted in one place (src/app.ts); nothing else may reach into them.',
      from: { path: '^(src|durable-objects)/', pathNot: '^src/app\\.ts$' },
      to: { path: '^routes/' },
    },
    {
      name: 'objects-only-domain-lib-and-types',
      severity: 'error',
      comment: 'Durable Objects call out through their port; they never import services, routes or the database layer.',
      from: { path: '^durable-objects/' },
      to: { path: '^(src/(services|marketing|http|db|wechat|tracking)|routes)/' },
    },
    {
      name: 'objects-import-no-runtime-outside-domain-lib',
      severity: 'error',
      comment: 'Outside domain and lib, an object may only import types (the Env type, view types).',
      from: { path: '^durable-objects/' },
      to: { path: '^src/', pathNot: '^src/(domain|lib)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'services-import-objects-types-only',
      severity: 'error',
      comment: 'The worker side talks to objects through stubs; it imports their types, never their code.',
      from: { path: '^(src|routes)/', pathNot: '^src/index\\.ts$' },
      to: { path: '^durable-objects/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'services-know-no-http',
      severity: 'error',
      comment: 'Services are called by routes, the cron sweep, queues and object ports alike: no Hono, no HTTP glue.',
      from: { path: '^src/(services|marketing|db|wechat|tracking)/' },
      to: { path: '^(src/http|routes)/' },
    },
    {
      name: 'services-know-no-hono-types',
      severity: 'error',
      comment: 'Not even Hono types: a service that takes a Context cannot be called from a queue consumer.',
      from: { path: '^src/(services|marketing|db|wechat|tracking)/' },
      to: { path: '(^|/)node_modules/hono/' },
    },
    {
      name: 'routes-do-not-query-tables',
      severity: 'error',
      comment: 'A domain owns its tables: routes go through services, never straight to the schema or drizzle.',
      from: { path: '^routes/' },
      to: { path: '^(src/db/(?!client\\.ts$)|node_modules/drizzle-orm/)', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'Domain rules do no I/O and know nothing of HTTP: no services, db, hono, drizzle, wechat, objects or ApiError.',
      from: { path: '^src/domain/' },
      to: {
        path: '^(src/(services|marketing|http|db|wechat|tracking|env\\.ts|app\\.ts|index\\.ts)|src/lib/errors\\.ts$|routes/|durable-objects/|node_modules/(hono|drizzle-orm|jose)/|cloudflare:)',
      },
    },
    {
      name: 'lib-is-generic',
      severity: 'error',
      comment: 'lib holds small generic helpers: it depends on nothing of the shop.',
      from: { path: '^src/lib/' },
      to: { path: '^(src/(services|marketing|http|db|wechat|tracking|domain)|routes|durable-objects)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a broken build waiting to happen.',
      from: {},
      to: { couldNotResolve: true, pathNot: '^(cloudflare:|node:)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.d.ts'] },
    exclude: { path: '^(dist|\\.wrangler)/' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
