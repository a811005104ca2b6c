// npm run build:miniapp: the folder DevTools opens, and the package checks WeChat would apply.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMiniapp } from '../../../scripts/build-miniapp';
import { checkPackages, PACKAGE_LIMIT_BYTES } from '../../../scripts/miniapp-package';

describe('mini-program build', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'miniapp-build-'));
  const report = buildMiniapp(out);
  const root = path.join(out, 'miniprogram');

  it('compiles every page to JavaScript that requires nothing outside the folder, and passes the package checks', () => {
    expect(report.problems).toEqual([]);
    expect(report.sizes.map((s) => s.name)).toEqual(['main', 'flash-sale', 'group-buy', 'bargain', 'after-sales', 'loyalty', 'coupons']);
    expect(report.sizes.every((s) => s.bytes > 0 && s.bytes < PACKAGE_LIMIT_BYTES)).toBe(true);
    expect(existsSync(path.join(root, 'pages/home/index.js'))).toBe(true);
    expect(existsSync(path.join(root, 'pages/home/index.ts'))).toBe(false);
    // The worker's types were erased: api-types compiles to an empty module.
    expect(readFileSync(path.join(root, 'lib/api-types.js'), 'utf8')).not.toMatch(/require/);
    const project = JSON.parse(readFileSync(path.join(out, 'project.config.json'), 'utf8'));
    expect(project).toMatchObject({ miniprogramRoot: 'miniprogram/', compileType: 'miniprogram' });
    expect(project.setting.useCompilerPlugins).toBeUndefined();
  });

  it('insists that every private-information API the code calls is declared in requiredPrivateInfos, and nothing more', () => {
    const appJson = path.join(root, 'app.json');
    const original = readFileSync(appJson, 'utf8');
    const app = JSON.parse(original);
    expect(app.requiredPrivateInfos).toEqual(['chooseAddress']); // wx.chooseAddress on the address book page
    try {
      writeFileSync(appJson, JSON.stringify({ ...app, requiredPrivateInfos: undefined }));
      expect(checkPackages(root).problems).toEqual(['pages/addresses/page.js calls wx.chooseAddress, which app.json does not declare in requiredPrivateInfos']);
      writeFileSync(appJson, JSON.stringify({ ...app, requiredPrivateInfos: ['chooseAddress', 'getLocation', 'getFuzzyLocation', 'getUserInfo'] }));
      expect(checkPackages(root).problems).toEqual([
        'requiredPrivateInfos declares getLocation, which no code calls (each one must be applied for and justified)',
        'requiredPrivateInfos declares getFuzzyLocation, which no code calls (each one must be applied for and justified)',
        'requiredPrivateInfos names getUserInfo, which is not a private-information API',
        'requiredPrivateInfos declares getFuzzyLocation together with a precise-location API, which WeChat refuses',
      ]);
    } finally {
      writeFileSync(appJson, original);
    }
  });

  it('refuses an oversized main package, a tab page outside it, a marketing page in it, a subpackage inside its folders, and a missing component', () => {
    const appJson = path.join(root, 'app.json');
    const app = JSON.parse(readFileSync(appJson, 'utf8'));
    app.pages = app.pages.filter((p: string) => p !== 'pages/cart/index').concat('marketing/flash-sale/list/index');
    app.usingComponents.gone = '/components/gone/index';
    app.subPackages.push({ root: 'pages/points', name: 'points-in-main', pages: [] });
    writeFileSync(appJson, JSON.stringify(app));
    appendFileSync(path.join(root, 'lib/config.js'), `// ${'x'.repeat(PACKAGE_LIMIT_BYTES)}`);
    const problems = checkPackages(root).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^main package is \d+ bytes, above WeChat's 2097152$/),
        'tabBar page pages/cart/index must be in the main package',
        'marketing page marketing/flash-sale/list/index must be in a subpackage',
        'app.json: component <gone> /components/gone/index is missing files',
        "subpackage pages/points is inside the main package's pages/",
      ]),
    );
  });
});
