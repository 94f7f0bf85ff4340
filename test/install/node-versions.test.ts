/**
 * Two Node versions side by side, as a user with nvm, volta or asdf has them: each loads the SQLite
 * driver built for its own ABI, on one ledger, with no build in between and nothing rebuilt in place.
 * It takes Nodes of other ABIs and their drivers: `node scripts/test-node.mjs --prepare-only 22 24`
 * installs them under .ci/node/ and has the plugin build their drivers into $XDG_CACHE_HOME (.ci/run
 * does it before any test). Without them this file is skipped, and says why.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Check } from '../../src/app/doctor';
import { CLI, REPO, runProcess, tempProject } from '../helpers/cli';

function run(node: string, args: string[], cwd: string) {
  return runProcess(node, [CLI, ...args], { cwd });
}

/** Each Node installed for the tests, with its ABI and the driver it loads; only those whose driver loads. */
function nodesWithDrivers(): { node: string; abi: string; binding: string }[] {
  const dir = join(REPO, '.ci/node');
  const installed = existsSync(dir)
    ? readdirSync(dir).flatMap((major) => {
        const modules = join(dir, major, 'node_modules');
        return existsSync(modules) ? readdirSync(modules).filter((p) => p.startsWith('node-')).map((p) => join(modules, p, 'bin/node')) : [];
      })
    : [];
  const byAbi = new Map<string, { node: string; abi: string; binding: string }>();
  for (const node of [process.execPath, ...installed.filter((n) => existsSync(n))]) {
    const abi = runProcess(node, ['-p', 'process.versions.modules']).stdout.trim();
    if (byAbi.has(abi)) continue;
    const doctor = run(node, ['doctor', '--json'], tempProject());
    const binding = (JSON.parse(doctor.stdout) as { checks: Check[] }).checks.find((c) => c.name === 'binding');
    if (binding?.status === 'ok') byAbi.set(abi, { node, abi, binding: binding.detail.replace(/^.*: /, '') });
  }
  return [...byAbi.values()];
}

const nodes = nodesWithDrivers();

describe('two Node versions side by side', () => {
  it.skipIf(nodes.length < 2 && !process.env.CI)(`each loads its own ABI's driver on one ledger (Nodes with a driver here: ABI ${nodes.map((n) => n.abi).join(', ')}; run node scripts/test-node.mjs --prepare-only 22 24)`, () => {
    const project = tempProject();
    const [first, ...others] = nodes as [(typeof nodes)[number], ...typeof nodes];
    const created = run(first.node, ['create', 'Side by side', '--budget', '100k'], project);
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim();
    for (const [i, n] of [first, ...others, first].entries()) {
      const r = run(n.node, ['record', '--sprint', id, '--phase', 'brainstorm', '--input', '100', '--output', '10', '--source', 'side-by-side', '--key', `k${i}`], project);
      expect({ abi: n.abi, code: r.code, stderr: r.stderr }).toEqual({ abi: n.abi, code: 0, stderr: '' });
    }
    for (const n of nodes) expect(run(n.node, ['remaining', id], project).stdout).toBe(`${100_000 - (2 + others.length) * 110}\n`);
    // Each its own file: one per ABI, never one binding rebuilt for whichever Node ran last.
    expect(new Set(nodes.map((n) => n.binding)).size).toBe(nodes.length);
    for (const n of nodes) expect(n.binding.includes('/node_modules/') || n.binding.includes(`/node-v${n.abi}-${process.platform}-${process.arch}/`)).toBe(true);
  });
});
