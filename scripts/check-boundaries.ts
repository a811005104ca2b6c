// npm run check:boundaries — the layering of DESIGN.md, enforced by dependency-cruiser with the
// rules in .dependency-cruiser.cjs. Two runs:
//   1. the real tree (src, routes, durable-objects) must have no violation at all;
//   2. the fixture tree in test/fixtures/boundaries/ breaks each rule on purpose, and every rule
//      it is meant to break must be reported there, so a rule that silently stopped matching
//      (a renamed folder, a typo in a path pattern) fails this check instead of passing it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

type Violation = { rule: { name: string }; from: string; to: string };
type CruiseResult = { summary: { violations: Violation[]; totalCruised: number } };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = path.join(root, '.dependency-cruiser.cjs');
const depcruise = path.join(root, 'node_modules', '.bin', 'depcruise');

function cruise(cwd: string, targets: string[]): CruiseResult {
  // depcruise exits non-zero when it finds violations; the JSON on stdout is what we read.
  try {
    return JSON.parse(execFileSync(depcruise, [...targets, '--config', config, '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (stdout) return JSON.parse(stdout);
    throw error;
  }
}

/** Each fixture file's name says which rule it breaks: <rule>.ts or <rule>.<n>.ts. */
const expectedInFixtures = [
  'no-circular',
  'only-app-imports-routes',
  'objects-only-domain-lib-and-types',
  'objects-import-no-runtime-outside-domain-lib',
  'services-import-objects-types-only',
  'services-know-no-http',
  'services-know-no-hono-types',
  'routes-do-not-query-tables',
  'domain-is-pure',
  'lib-is-generic',
];

let failed = false;

const real = cruise(root, ['src', 'routes', 'durable-objects']);
for (const v of real.summary.violations) console.error(`boundary violation (${v.rule.name}): ${v.from} → ${v.to}`);
if (real.summary.violations.length) failed = true;
console.log(`boundaries: ${real.summary.violations.length} violations in ${real.summary.totalCruised} modules`);

const fixtures = cruise(path.join(root, 'test', 'fixtures', 'boundaries'), ['src', 'routes', 'durable-objects']);
const broken = new Set(fixtures.summary.violations.map((v) => v.rule.name));
for (const rule of expectedInFixtures) {
  if (!broken.has(rule)) {
    console.error(`the fixture that breaks ${rule} was not reported: the rule no longer matches what it should`);
    failed = true;
  }
}
console.log(`fixtures: ${broken.size} of ${expectedInFixtures.length} rules caught (${fixtures.summary.violations.length} violations)`);
process.exit(failed ? 1 : 0);
