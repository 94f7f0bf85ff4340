/**
 * What is made on first use. A hook is a process start: `node:child_process` (with the stream
 * machinery it pulls in) costs milliseconds that only the rare paths (a detached worker, the binding
 * repair) need, and so does building schemas for payloads or spool events a hook never reads.
 */
import { createRequire } from 'node:module';

/** `build()`, run once, on the first call. */
export function lazily<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

export const childProcess = lazily(() => createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process'));
