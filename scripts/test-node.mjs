// Runs the suites that start real processes (the CLI, the hooks, the binding build, the e2e sessions)
// on other Nodes: `node scripts/test-node.mjs 22 24` (or `npm run test:node -- 22`); with
// `--prepare-only`, only installs them and builds their drivers (then the Node 20 run's side-by-side
// test finds them: test/install/node-versions.test.ts). Each Node comes
// from the npm registry (`node-<platform>-<arch>`, whose package holds the binary and its headers),
// installed under .ci/node/<major>/, never into node_modules. Its better-sqlite3 binding is built by
// the plugin itself (`doctor --fix`) into the per-ABI cache the plugin uses ($XDG_CACHE_HOME, default
// .ci/cache/), never into node_modules; then vitest runs on that Node, so every process the tests
// start (process.execPath, and `node` on PATH for Claude Code's hooks and the plugin's bin/) is it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The versions CI tests, pinned so that a run is reproducible; raise them deliberately. */
export const NODE_VERSIONS = { 22: '22.23.5', 24: '24.22.3' };

const SUITES = ['test/cli', 'test/hooks', 'test/install', 'test/e2e'];

/** Installs Node `major` (if it is not there yet) and returns its binary. */
export function installNode(major) {
  const version = NODE_VERSIONS[major];
  if (!version) throw new Error(`no pinned Node ${major} (known: ${Object.keys(NODE_VERSIONS).join(', ')})`);
  const prefix = join(root, '.ci', 'node', String(major));
  const pkg = `node-${process.platform}-${process.arch}`;
  const node = join(prefix, 'node_modules', pkg, 'bin', 'node');
  const installed = existsSync(node) ? spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim() : null;
  if (installed !== `v${version}`) {
    mkdirSync(prefix, { recursive: true });
    writeFileSync(join(prefix, 'package.json'), '{"private": true}\n');
    console.log(`installing Node ${version} (${pkg}) into ${prefix}`);
    execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${pkg}@${version}`], { stdio: 'inherit' });
  }
  return node;
}

/** The environment of everything run on that Node: it first on PATH, bindings in the CI cache. */
function nodeEnv(node) {
  return {
    ...process.env,
    PATH: `${dirname(node)}:${process.env.PATH}`,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME || join(root, '.ci', 'cache'),
  };
}

/** Builds the plugin's SQLite driver for that Node, as a user would: `sprint-budget doctor --fix`. */
function buildBinding(node, env) {
  const r = spawnSync(node, [join(root, 'plugin/dist/cli.cjs'), 'doctor', '--fix', '--json'], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const binding = JSON.parse(r.stdout).checks.find((c) => c.name === 'binding');
  if (binding.status !== 'ok') throw new Error(`no SQLite driver for ${node}: ${binding.detail}`);
  console.log(binding.detail);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const prepareOnly = args.includes('--prepare-only');
  const majors = args.filter((a) => /^\d+$/.test(a)).map(Number);
  if (majors.length === 0) throw new Error('usage: node scripts/test-node.mjs [--prepare-only] <major>... (e.g. 22 24)');
  const nodes = majors.map((major) => {
    const node = installNode(major);
    const env = nodeEnv(node);
    buildBinding(node, env);
    return { node, env };
  });
  if (prepareOnly) process.exit(0);
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  for (const { node, env } of nodes) {
    console.log(`vitest on Node ${spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()}: ${SUITES.join(' ')}`);
    const r = spawnSync(node, [vitest, 'run', ...SUITES], { cwd: root, env, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
