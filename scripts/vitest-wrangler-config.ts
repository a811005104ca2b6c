// The Workers pool reads its bindings through wrangler, and wrangler loads `.dev.vars` (or, when
// there is none, `.env`) from the directory of the config file it is given. Handed wrangler.toml
// itself, every test run would pick up the developer's local secrets and settings (their
// APP_ENV, their WeChat keys …). So the tests get the same configuration written to a directory
// of their own, where no such file is, and the config asserts that no binding came from one.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { experimental_readRawConfig, unstable_getMiniflareWorkerOptions } from 'wrangler';

/** Keys of wrangler's config whose value is a path relative to the config file. */
const UNSUPPORTED_PATH_KEYS = ['assets', 'site', 'base_dir', 'build', 'tsconfig', 'rules', 'wasm_modules', 'text_blobs', 'data_blobs'] as const;

/** The parts of wrangler's raw config read here (its own type is not shipped with wrangler 4.86). */
type RawConfig = { main?: string; vars?: Record<string, unknown>; d1_databases?: { migrations_dir?: string }[] } & Record<string, unknown>;

function readRawConfig(configPath: string): RawConfig {
  return experimental_readRawConfig({ config: configPath }).rawConfig as RawConfig;
}

/**
 * Writes `configPath`'s configuration, with its paths made absolute, to `<outDir>/wrangler.json`
 * and returns that path. Refuses a config key with a relative path it does not know how to move.
 */
export function isolatedWranglerConfig(configPath: string, outDir: string): string {
  const rawConfig = readRawConfig(configPath);
  const baseDir = path.dirname(path.resolve(configPath));
  const absolute = (p: string | undefined) => (p === undefined ? undefined : path.resolve(baseDir, p));
  const unsupported = UNSUPPORTED_PATH_KEYS.filter((key) => rawConfig[key] !== undefined);
  if (unsupported.length > 0) {
    throw new Error(`${configPath}: ${unsupported.join(', ')} not supported by scripts/vitest-wrangler-config.ts; resolve its paths there`);
  }
  const config = {
    ...rawConfig,
    main: absolute(rawConfig.main),
    d1_databases: rawConfig.d1_databases?.map((db) => ({ ...db, migrations_dir: absolute(db.migrations_dir) })),
  };
  mkdirSync(outDir, { recursive: true });
  const stray = readdirSync(outDir).filter((f) => f.startsWith('.dev.vars') || f.startsWith('.env'));
  if (stray.length > 0) throw new Error(`${outDir} must hold no ${stray.join(', ')}: the tests would read it`);
  const isolated = path.join(outDir, 'wrangler.json');
  writeFileSync(isolated, `${JSON.stringify(config, null, 2)}\n`);
  return isolated;
}

/**
 * Throws unless every plain-text binding wrangler resolves for `configPath` is one of its [vars]:
 * anything else came from a .dev.vars or .env file next to it.
 */
export function assertNoLocalVars(configPath: string): void {
  const rawConfig = readRawConfig(configPath);
  const declared = new Set(Object.keys(rawConfig.vars ?? {}));
  const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath);
  const extra = Object.keys(workerOptions.bindings ?? {}).filter((name) => !declared.has(name));
  const dir = path.dirname(configPath);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('.dev.vars') || f.startsWith('.env')) : [];
  if (extra.length > 0 || files.length > 0) {
    throw new Error(`the test configuration ${configPath} picks up local settings (${[...extra, ...files].join(', ')})`);
  }
}
