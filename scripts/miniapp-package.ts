// The checks WeChat applies to a mini-program's packages, on a built folder: sizes (main package
// and each subpackage at most 2 MB, all together at most 30 MB), tabBar pages in the main
// package, marketing pages in subpackages (and no main-package page inside one), every page and component complete, no code that
// requires a file outside the folder (the worker's types must have been erased), and every
// private-information API the code calls declared in app.json's requiredPrivateInfos (since
// 2022-07-14 an undeclared call fails in a released build: chooseAddress would silently do nothing).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const PACKAGE_LIMIT_BYTES = 2 * 1024 * 1024;
export const TOTAL_LIMIT_BYTES = 30 * 1024 * 1024;
/** Pages under this folder are marketing pages: they belong in subpackages. */
const MARKETING_ROOT = 'marketing/';
/** The main package's own folders: a subpackage root inside one would split what the main package needs. */
const MAIN_PACKAGE_ROOTS = ['pages/', 'components/', 'lib/'];

/** The APIs WeChat makes a mini-program declare in requiredPrivateInfos (and apply for). */
export const PRIVATE_INFO_APIS = [
  'getFuzzyLocation',
  'getLocation',
  'onLocationChange',
  'startLocationUpdate',
  'startLocationUpdateBackground',
  'chooseLocation',
  'choosePoi',
  'chooseAddress',
] as const;
/** Fuzzy location cannot be declared together with these precise-location APIs. */
const PRECISE_LOCATION_APIS = ['getLocation', 'onLocationChange', 'startLocationUpdate', 'startLocationUpdateBackground'];

type AppJson = {
  pages: string[];
  requiredPrivateInfos?: string[];
  subPackages?: { root: string; name?: string; pages: string[] }[];
  tabBar?: { list: { pagePath: string }[] };
  usingComponents?: Record<string, string>;
};

export type PackageReport = { sizes: { name: string; bytes: number }[]; totalBytes: number; problems: string[] };

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

const rootOf = (root: string) => (root.endsWith('/') ? root : `${root}/`);

/** Every component a page or component uses (its json, and app.json's global ones), as paths under the root. */
function componentProblems(miniprogramDir: string, file: string, usingComponents: Record<string, string>): string[] {
  return Object.entries(usingComponents).flatMap(([tag, ref]) => {
    const target = ref.startsWith('/') ? path.join(miniprogramDir, ref) : path.join(path.dirname(file), ref);
    return ['.js', '.json', '.wxml'].every((ext) => existsSync(target + ext)) ? [] : [`${path.relative(miniprogramDir, file)}: component <${tag}> ${ref} is missing files`];
  });
}

export function checkPackages(miniprogramDir: string): PackageReport {
  const app = JSON.parse(readFileSync(path.join(miniprogramDir, 'app.json'), 'utf8')) as AppJson;
  const subPackages = app.subPackages ?? [];
  const problems: string[] = [];

  const bytes = new Map<string, number>([['main', 0], ...subPackages.map((s) => [s.name ?? s.root, 0] as [string, number])]);
  const declared = new Set(app.requiredPrivateInfos ?? []);
  const called = new Set<string>();
  const files = filesUnder(miniprogramDir);
  for (const file of files) {
    const relative = path.relative(miniprogramDir, file).split(path.sep).join('/');
    const owner = subPackages.find((s) => relative.startsWith(rootOf(s.root)));
    const name = owner ? (owner.name ?? owner.root) : 'main';
    bytes.set(name, (bytes.get(name) ?? 0) + statSync(file).size);
    if (file.endsWith('.js')) {
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)) {
        const resolved = path.resolve(path.dirname(file), target!);
        if (!resolved.startsWith(miniprogramDir + path.sep)) problems.push(`${relative} requires ${target}, outside the mini-program`);
        else if (!existsSync(`${resolved}.js`) && !existsSync(resolved)) problems.push(`${relative} requires ${target}, which is not there`);
      }
      for (const api of PRIVATE_INFO_APIS.filter((name) => new RegExp(`\\bwx\\.${name}\\b`).test(readFileSync(file, 'utf8')))) {
        called.add(api);
        if (!declared.has(api)) problems.push(`${relative} calls wx.${api}, which app.json does not declare in requiredPrivateInfos`);
      }
    }
    if (file.endsWith('.json') && existsSync(file.replace(/\.json$/, '.wxml'))) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { usingComponents?: Record<string, string> };
      problems.push(...componentProblems(miniprogramDir, file, json.usingComponents ?? {}));
    }
  }
  problems.push(...componentProblems(miniprogramDir, path.join(miniprogramDir, 'app.json'), app.usingComponents ?? {}));
  for (const api of declared) {
    if (!(PRIVATE_INFO_APIS as readonly string[]).includes(api)) problems.push(`requiredPrivateInfos names ${api}, which is not a private-information API`);
    else if (!called.has(api)) problems.push(`requiredPrivateInfos declares ${api}, which no code calls (each one must be applied for and justified)`);
  }
  if (declared.has('getFuzzyLocation') && PRECISE_LOCATION_APIS.some((api) => declared.has(api))) {
    problems.push('requiredPrivateInfos declares getFuzzyLocation together with a precise-location API, which WeChat refuses');
  }

  const allPages = [...app.pages, ...subPackages.flatMap((s) => s.pages.map((p) => rootOf(s.root) + p))];
  for (const page of allPages) {
    const missing = ['.js', '.json', '.wxml'].filter((ext) => !existsSync(path.join(miniprogramDir, page + ext)));
    if (missing.length) problems.push(`page ${page} is missing ${missing.join(', ')}`);
  }
  for (const tab of app.tabBar?.list ?? []) {
    if (!app.pages.includes(tab.pagePath)) problems.push(`tabBar page ${tab.pagePath} must be in the main package`);
  }
  for (const page of app.pages) {
    if (page.startsWith(MARKETING_ROOT)) problems.push(`marketing page ${page} must be in a subpackage`);
  }
  // A subpackage is a feature's own folder (marketing/<engine>/, after-sales/, loyalty/ …): never inside the
  // main package's folders, and no main-package page inside it (WeChat refuses that).
  for (const s of subPackages) {
    if (MAIN_PACKAGE_ROOTS.some((root) => rootOf(s.root).startsWith(root))) problems.push(`subpackage ${s.root} is inside the main package's ${rootOf(s.root).split('/')[0]}/`);
    for (const page of app.pages) if (page.startsWith(rootOf(s.root))) problems.push(`main-package page ${page} is inside subpackage ${s.root}`);
  }

  const sizes = [...bytes].map(([name, size]) => ({ name, bytes: size }));
  for (const { name, bytes: size } of sizes) {
    if (size > PACKAGE_LIMIT_BYTES) problems.push(`${name} package is ${size} bytes, above WeChat's ${PACKAGE_LIMIT_BYTES}`);
  }
  const totalBytes = sizes.reduce((n, s) => n + s.bytes, 0);
  if (totalBytes > TOTAL_LIMIT_BYTES) problems.push(`all packages together are ${totalBytes} bytes, above ${TOTAL_LIMIT_BYTES}`);
  return { sizes, totalBytes, problems };
}
