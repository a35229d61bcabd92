/**
 * Typed errors with stable `code`s. Every error a user can meet names the file (when there is one)
 * and the problem in one line; the CLI prints `message` and exits non-zero.
 */
export class RsnaMammoError extends Error {
  /** Stable machine-readable code, e.g. `ERR_DICOM_TRUNCATED`. */
  readonly code: string;
  /** The file the error is about, when there is one. */
  readonly file?: string;

  constructor(code: string, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(options.file ? `${options.file}: ${message}` : message, { cause: options.cause });
    this.name = 'RsnaMammoError';
    this.code = code;
    this.file = options.file;
  }
}

/** Builds the one message shape used for argument validation everywhere. */
export function invalidArgument(name: string, expected: string, value: unknown): RsnaMammoError {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    shown = '<unprintable>';
  }
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  return new RsnaMammoError('ERR_INVALID_ARGUMENT', `Expected ${expected} for ${name} but received ${shown} of type ${type}`);
}

/** Wraps an error thrown by the native addon (which carries `code`) into an RsnaMammoError for `file`. */
export function fromNativeError(err: unknown, file?: string): RsnaMammoError {
  if (err instanceof RsnaMammoError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'ERR_NATIVE';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return new RsnaMammoError(code, message, { file, cause: err });
}
