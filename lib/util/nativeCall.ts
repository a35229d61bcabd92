/** The one wrapper around addon calls: a thrown or rejected native error becomes an RsnaMammoError with its code. */
import { fromNativeError } from '../errors';

/** Runs a synchronous addon call; its error keeps the native `code`. */
export function nativeSync<T>(call: () => T, file?: string): T {
  try {
    return call();
  } catch (err) {
    throw fromNativeError(err, file);
  }
}

/** Awaits an asynchronous addon call; its rejection keeps the native `code`. */
export async function nativeCall<T>(call: () => Promise<T>, file?: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw fromNativeError(err, file);
  }
}
