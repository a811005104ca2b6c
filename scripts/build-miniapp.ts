// `npm run build:miniapp`: compiles miniapp/ into dist/miniapp/, the folder WeChat DevTools
// opens (and uploads) as it is — TypeScript to CommonJS JavaScript, everything else copied —
// then prints the package sizes and fails on anything WeChat would refuse (miniapp-package.ts).
// miniapp/ itself also opens in DevTools, which compiles its TypeScript with its own plugin.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { checkPackages } from './miniapp-package';

const projectRoot = path.resolve(import.meta.dirname, '..');

const compilerOptions: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  // WeChat's base library 2.x+ runs ES2017; later syntax (??=, ?.) is lowered here.
  target: ts.ScriptTarget.ES2017,
  isolatedModules: true,
};

function compileDir(source: string, target: string): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    if (entry.isDirectory()) {
      compileDir(from, path.join(target, entry.name));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const { outputText, diagnostics } = ts.transpileModule(readFileSync(from, 'utf8'), { compilerOptions, fileName: from, reportDiagnostics: true });
      if (diagnostics?.length) throw new Error(`${from}: ${ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, '\n')}`);
      writeFileSync(path.join(target, entry.name.replace(/\.ts$/, '.js')), outputText);
    } else {
      cpSync(from, path.join(target, entry.name));
    }
  }
}

export function buildMiniapp(outDir: string) {
  rmSync(outDir, { recursive: true, force: true });
  const source = path.join(projectRoot, 'miniapp');
  compileDir(path.join(source, 'miniprogram'), path.join(outDir, 'miniprogram'));
  // The built folder holds JavaScript: DevTools must not look for TypeScript to compile.
  const project = JSON.parse(readFileSync(path.join(source, 'project.config.json'), 'utf8')) as { setting: Record<string, unknown> };
  delete project.setting.useCompilerPlugins;
  writeFileSync(path.join(outDir, 'project.config.json'), `${JSON.stringify(project, null, 2)}\n`);
  return checkPackages(path.join(outDir, 'miniprogram'));
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const outDir = path.join(projectRoot, 'dist', 'miniapp');
  const report = buildMiniapp(outDir);
  console.log(`mini-program built in ${path.relative(projectRoot, outDir)}/ (open this folder in WeChat DevTools)`);
  for (const { name, bytes } of report.sizes) console.log(`  ${name === 'main' ? 'main package' : `subpackage ${name}`}: ${kb(bytes)} (limit 2048.0 KB)`);
  console.log(`  total: ${kb(report.totalBytes)} (limit 30720.0 KB)`);
  if (report.problems.length) {
    for (const problem of report.problems) console.error(`  ✗ ${problem}`);
    process.exit(1);
  }
}
