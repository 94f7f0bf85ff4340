import { describe, expect, it } from 'vitest';
import { compareVersions, nodeSupported, parseVersion } from '../../src/domain/versions';

describe('Node versions', () => {
  it('supported from 20.16 on 20, 22.3 on 22, every later major; never 21 (no process.getBuiltinModule)', () => {
    const supported = ['v20.16.0', 'v20.20.2', 'v22.3.0', 'v22.23.5', 'v23.0.0', 'v24.22.3', 'v26.1.0'];
    const unsupported = ['v18.20.4', 'v20.15.1', 'v21.7.3', 'v22.2.0', 'v19.0.0', 'not a version'];
    expect(supported.filter(nodeSupported)).toEqual(supported);
    expect(unsupported.filter(nodeSupported)).toEqual([]);
  });
});

describe('Claude Code versions', () => {
  it("reads `claude --version`'s answer and orders versions by number, not by text", () => {
    expect(parseVersion('2.1.332 (Claude Code)')).toEqual([2, 1, 332]);
    expect(parseVersion('no version here')).toBeNull();
    const v = (t: string) => parseVersion(t) as [number, number, number];
    expect(compareVersions(v('2.1.91'), v('2.1.332'))).toBeLessThan(0);
    expect(compareVersions(v('2.10.0'), v('2.9.99'))).toBeGreaterThan(0);
    expect(compareVersions(v('2.1.332'), v('2.1.332'))).toBe(0);
  });
});
