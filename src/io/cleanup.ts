// Work to undo when a run is interrupted (SIGINT/SIGTERM) or fails: temp files of atomic writes.
// main.ts runs these synchronously before exiting with 130.

const cleanups = new Set<() => void>();

/** Register a synchronous cleanup; returns a function that unregisters it. */
export function registerCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

export function runCleanups(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      // best effort: an interrupted run must still exit
    }
  }
  cleanups.clear();
}
