import { expect, it } from 'vitest';
import { entryPoints, staleBundles } from '../scripts/build.mjs';

it('every committed bundle under dist/ matches a fresh build of its sources', async () => {
  expect(await staleBundles()).toEqual([]);
});

it('bundles the CLI and one entry per hook event', () => {
  expect(Object.keys(entryPoints())).toContain('cli');
});
