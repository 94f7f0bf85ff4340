/** Finding the better-sqlite3 binding: a cache this user cannot read is passed over, not an internal error. */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindingTarget, installedBinding, requireBinding } from '../../src/install/binding';

describe('requireBinding', () => {
  it('a binding path that cannot be read (a symlink loop here; EACCES for another user\'s cache) falls through to the one built in place', () => {
    const cache = mkdtempSync(join(tmpdir(), 'sb-binding-'));
    const target = bindingTarget({ XDG_CACHE_HOME: cache });
    mkdirSync(dirname(target.file), { recursive: true });
    symlinkSync(target.file, target.file);
    expect(requireBinding({ XDG_CACHE_HOME: cache })).toBe(installedBinding());
  });
});
