/** Finding the better-sqlite3 binding: a cache this user cannot read is passed over, not an internal error. */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BindingMissingError, bindingTarget, installedBinding, requireBinding } from '../../src/install/binding';

describe('requireBinding', () => {
  it('a binding path that cannot be read (a symlink loop here; EACCES for another user\'s cache) is passed over, with its reason', () => {
    const cache = mkdtempSync(join(tmpdir(), 'sb-binding-'));
    const target = bindingTarget({ XDG_CACHE_HOME: cache });
    mkdirSync(dirname(target.file), { recursive: true });
    symlinkSync(target.file, target.file);
    let found: string | BindingMissingError;
    try {
      found = requireBinding({ XDG_CACHE_HOME: cache });
    } catch (err) {
      found = err as BindingMissingError;
    }
    // The next candidate is the checkout's own build: it loads on the Node that built it (20 here), on
    // another Node (CI's 22 and 24) nothing else does, and the error names both reasons.
    if (typeof found === 'string') expect(found).toBe(installedBinding());
    else {
      expect(found).toBeInstanceOf(BindingMissingError);
      expect(found.message).toContain(`${target.file} cannot be loaded: not readable (ELOOP)`);
    }
  });
});
