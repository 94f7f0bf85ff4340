/**
 * What is made on first use. A hook is a process start: `node:child_process` (with the stream
 * machinery it pulls in) costs milliseconds that only the rare paths (a detached worker, the binding
 * repair) need, and so does building schemas for payloads or spool events a hook never reads.
 */

/** `build()`, run once, on the first call. */
export function lazily<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

/**
 * A Node built-in, loaded when called (process.getBuiltinModule, Node ≥ 20.16). Not through
 * `createRequire`: importing node:module loads Node's ESM loader with it.
 */
export const childProcess = lazily(() => process.getBuiltinModule('node:child_process'));
