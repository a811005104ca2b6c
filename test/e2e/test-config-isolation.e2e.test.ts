// The workers suite never reads the developer's .dev.vars or .env (scripts/vitest-wrangler-config.ts):
// a project with poisoned local files next to its wrangler.toml hands them to wrangler, and the
// isolated copy the pool is given does not.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { assertNoLocalVars, isolatedWranglerConfig } from '../../scripts/vitest-wrangler-config';

const project = mkdtempSync(path.join(os.tmpdir(), 'edge-mall-config-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the test configuration', () => {
  copyFileSync(new URL('../../wrangler.toml', import.meta.url), path.join(project, 'wrangler.toml'));
  mkdirSync(path.join(project, 'src'));
  writeFileSync(path.join(project, 'src/index.ts'), 'export default {};\n');
  writeFileSync(path.join(project, '.dev.vars'), 'APP_ENV=development\nJWT_KEYS=not-json\nDEV_VARS_CANARY=leaked\n');
  writeFileSync(path.join(project, '.env'), 'ENV_CANARY=leaked\n');
  const bindingsOf = (configPath: string) => unstable_getMiniflareWorkerOptions(configPath).workerOptions.bindings ?? {};

  it('would pick up the poisoned .dev.vars if handed wrangler.toml itself, and the check says so', () => {
    expect(bindingsOf(path.join(project, 'wrangler.toml'))).toMatchObject({ DEV_VARS_CANARY: 'leaked', JWT_KEYS: 'not-json', APP_ENV: 'development' });
    expect(() => assertNoLocalVars(path.join(project, 'wrangler.toml'))).toThrow(/picks up local settings \(JWT_KEYS, DEV_VARS_CANARY, \.dev\.vars, \.env\)/);
  });

  it('gives the pool a copy in a directory of its own: wrangler.toml’s vars only, paths still resolved', () => {
    const isolated = isolatedWranglerConfig(path.join(project, 'wrangler.toml'), path.join(project, 'isolated'));
    expect(() => assertNoLocalVars(isolated)).not.toThrow();
    const bindings = bindingsOf(isolated);
    expect(bindings).not.toHaveProperty('DEV_VARS_CANARY');
    expect(bindings).not.toHaveProperty('ENV_CANARY');
    expect(bindings).toMatchObject({ APP_ENV: 'production', CATALOG_S_MAXAGE: '300' });
    expect(unstable_getMiniflareWorkerOptions(isolated).main).toBe(path.join(project, 'src/index.ts'));
  });

  it('refuses an output directory that holds a .dev.vars', () => {
    writeFileSync(path.join(project, 'isolated/.dev.vars'), 'X=1\n');
    expect(() => isolatedWranglerConfig(path.join(project, 'wrangler.toml'), path.join(project, 'isolated'))).toThrow(/must hold no \.dev\.vars/);
  });
});
