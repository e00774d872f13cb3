#!/usr/bin/env node
// The shipped entry point: runs the compiled CLI (built by `npm run build`, or by `npm ci` via `prepare`).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('papers: not built yet; run `npm run build` (or `npm ci`) first\n');
    process.exitCode = 1;
    return;
  }
  throw err;
});
