/**
 * One request to a fresh worker thread and its one reply `{ ok, result }` or `{ ok: false, error }`;
 * the error comes back as the same RsnaMammoError (code, message, file).
 */
import { RsnaMammoError } from '../errors';
import { startWorker } from './startWorker';

/** What a worker posts back. */
export interface WorkerReply<T> {
  ok: boolean;
  result?: T;
  error?: { code: string; message: string; file?: string };
}

/**
 * Starts `<dir>/<name>`, posts `request`, resolves with its result and terminates it.
 * @param failCode the code when the worker dies without replying
 */
export function callWorker<T>(dir: string, name: string, request: unknown, failCode: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = startWorker(dir, name);
    let settled = false;
    worker.once('message', (reply: WorkerReply<T>) => {
      settled = true;
      void worker.terminate();
      if (reply.ok) resolve(reply.result as T);
      else {
        const { code, message, file } = reply.error!;
        // The message already names the file; rebuild the error without prefixing it twice.
        const err = new RsnaMammoError(code, message);
        Object.assign(err, { file });
        reject(err);
      }
    });
    worker.once('error', (err) => { if (!settled) { settled = true; reject(new RsnaMammoError(failCode, `worker ${name} failed: ${err.message}`, { cause: err })); } });
    worker.once('exit', (code) => { if (!settled) { settled = true; reject(new RsnaMammoError(failCode, `worker ${name} exited with code ${code}`)); } });
    worker.postMessage(request);
  });
}
