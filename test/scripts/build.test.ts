import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PLUGIN, REPO } from '../helpers/cli';
import { entryPoints, staleBundles } from '../../scripts/build.mjs';

it('every committed bundle under dist/ matches a fresh build of its sources', async () => {
  expect(await staleBundles()).toEqual([]);
});

it('bundles the CLI, the YAML parser, the cache runner, and exactly the hooks hooks.json runs', () => {
  const config = JSON.parse(readFileSync(join(PLUGIN, 'hooks/hooks.json'), 'utf8')) as { hooks: Record<string, { hooks: { args: string[] }[] }[]> };
  const hookScripts = Object.values(config.hooks)
    .flat()
    .flatMap((entry) => entry.hooks)
    .map((h) => /\/dist\/(hooks\/[a-z-]+)\.cjs$/.exec(h.args[h.args.length - 1] as string)?.[1]);
  expect(hookScripts).not.toContain(undefined);
  expect(Object.keys(entryPoints()).sort()).toEqual(['cached-run', 'cli.bundle', 'yaml', ...new Set(hookScripts.map((h) => `${h}.bundle`))].sort());
});

it('the plugin, its package and the repository carry one version', () => {
  const version = (path: string) => (JSON.parse(readFileSync(join(REPO, path), 'utf8')) as { version: string }).version;
  const v = version('package.json');
  expect(version('plugin/package.json')).toBe(v);
  expect(version('plugin/.claude-plugin/plugin.json')).toBe(v);
});

it('the plugin depends at run time on better-sqlite3 alone, pinned like the repository, whose copy of its JavaScript is bundled to load that binding', () => {
  const plugin = JSON.parse(readFileSync(join(PLUGIN, 'package.json'), 'utf8')) as Record<string, unknown>;
  const repo = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(plugin.dependencies).toEqual(repo.dependencies);
  expect(plugin.devDependencies).toBeUndefined();
});

it('every bundle is plain ASCII, so Node reads it as a one-byte string (one other character makes the whole source two-byte and its reading about three times slower)', () => {
  const bundles = Object.keys(entryPoints()).map((name) => join(PLUGIN, 'dist', `${name}.cjs`));
  for (const file of bundles) expect(/[^\x00-\x7f]/.test(readFileSync(file, 'utf8')), file).toBe(false);
});
