// Bundles each entry point into one self-contained CommonJS file under plugin/dist/ (committed, so
// the plugin runs from a plain checkout). better-sqlite3's JavaScript is bundled too; its native
// binding is loaded at run time from the plugin's node_modules (src/ledger/db.ts), so `bindings`, which
// it would otherwise use to find it, stays out.
// `node scripts/build.mjs --check` rebuilds in memory and fails when a committed bundle differs.
import { readFileSync, readdirSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The hooks, by the name of their file under plugin/dist/hooks/: one per src/hooks/on-<name>.ts. */
function hookNames() {
  const hooksDir = join(root, 'src/hooks');
  return readdirSync(hooksDir)
    .sort()
    .map((f) => /^on-(.+)\.ts$/.exec(f)?.[1])
    .filter((name) => name !== undefined);
}

export function entryPoints() {
  const entries = { cli: 'src/cli/bin.ts', triage: 'src/cli/commands/triage.ts', 'scan-worker': 'src/usage/scan-worker.ts', 'cached-run': 'src/lib/cached-run.ts' };
  for (const name of hookNames()) entries[`hooks/${name}.bundle`] = `src/hooks/on-${name}.ts`;
  return entries;
}

/**
 * What hooks.json runs: a stub that runs the hook's bundle through V8's code cache
 * (src/lib/cached-run.ts), so that a hook does not compile its bundle on every call.
 */
function hookStub(name) {
  return `"use strict";\n// sprint-budget ${name} hook: runs ${name}.bundle.cjs from V8's code cache (src/lib/cached-run.ts).\nrequire("../cached-run.cjs").runCached(require("node:path").join(__dirname, "${name}.bundle.cjs"));\n`;
}

export async function build({ write }) {
  const pkg = JSON.parse(readFileSync(join(root, 'plugin/package.json'), 'utf8'));
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entryPoints(),
    outdir: 'plugin/dist',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['bindings'],
    // Source modules use import.meta.url (ESM under vitest); in the CJS bundle it is the file's URL.
    define: { 'import.meta.url': '__bundle_url', __VERSION__: JSON.stringify(pkg.version) },
    banner: { js: '"use strict";const __bundle_url=require("node:url").pathToFileURL(__filename).href;' },
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'warning',
    write: false,
  });
  const outputs = result.outputFiles.map((f) => ({ path: relative(root, f.path), text: f.text }));
  for (const name of hookNames()) outputs.push({ path: `plugin/dist/hooks/${name}.cjs`, text: hookStub(name) });
  if (write) {
    for (const o of outputs) {
      mkdirSync(dirname(join(root, o.path)), { recursive: true });
      writeFileSync(join(root, o.path), o.text);
    }
  }
  return outputs;
}

/** Bundles whose committed text differs from a fresh build of the sources. */
export async function staleBundles() {
  const outputs = await build({ write: false });
  return outputs
    .filter((o) => !existsSync(join(root, o.path)) || readFileSync(join(root, o.path), 'utf8') !== o.text)
    .map((o) => o.path);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = await staleBundles();
    if (stale.length > 0) {
      console.error(`stale bundles (run npm run build): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log('bundles are up to date');
  } else {
    const outputs = await build({ write: true });
    for (const o of outputs) console.log(`${o.path}  ${(o.text.length / 1024).toFixed(1)} KiB`);
  }
}
