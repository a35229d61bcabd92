/**
 * Starts a worker thread from a sibling module of this package, both from compiled `dist/*.js` and
 * from the TypeScript sources (tests run through ts-node: the worker registers it if needed).
 */
import path from 'path';
import { Worker, WorkerOptions } from 'worker_threads';

/** Starts `<dir>/<name>.js` (or `.ts` under ts-node) as a worker; `options` go to the Worker. */
export function startWorker(dir: string, name: string, options: WorkerOptions = {}): Worker {
  const ext = path.extname(__filename);
  const file = path.join(dir, `${name}${ext}`);
  if (ext !== '.ts') return new Worker(file, options);
  const tsNode = resolveTsNode();
  const code = [
    `if (!require.extensions['.ts']) require(${JSON.stringify(tsNode)}).register({ transpileOnly: true });`,
    `require(${JSON.stringify(file)});`,
  ].join('\n');
  return new Worker(code, { ...options, eval: true });
}

/** ts-node as installed here: the package itself or the fork tap 21 depends on. */
export function resolveTsNode(): string {
  for (const name of ['ts-node', '@isaacs/ts-node-temp-fork-for-pr-2009']) {
    try {
      return require.resolve(name);
    } catch {
      // try the next name
    }
  }
  throw new Error('running from TypeScript sources needs ts-node to start worker threads (or build with `npm run build`)');
}
