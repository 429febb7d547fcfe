/**
 * facegan's one error type. Every error a user can cause carries a stable `code` and a message that says what
 * was expected, what was received and what to do; the CLI prints the message (never a stack) and exits non-zero.
 */
export const ErrorCodes = {
  /** An argument has the wrong type, shape, dtype, device or range. */
  BAD_ARGUMENT: 'E_BAD_ARGUMENT',
  /** libtorch refused an operation. */
  ENGINE: 'E_ENGINE',
  /** The native engine is not built or does not load. */
  NO_ENGINE: 'E_NO_ENGINE',
  /** A tensor was used after dispose(). */
  DISPOSED: 'E_DISPOSED',
  /** A file is missing, unreadable or not in the expected format. */
  BAD_FILE: 'E_BAD_FILE',
  /** A model folder or state dict does not match the model. */
  BAD_MODEL: 'E_BAD_MODEL',
  /** A command-line usage mistake. */
  USAGE: 'E_USAGE',
  /** A device (cuda) was asked for but is not available. */
  NO_DEVICE: 'E_NO_DEVICE',
  /** The job queue (Redis) cannot be reached, refuses us, or a job in it failed or was cancelled. */
  QUEUE: 'E_QUEUE',
  /** The dashboard refused a request: a path outside its workspace, a missing token, another Host. */
  FORBIDDEN: 'E_FORBIDDEN',
  /** The dashboard has no such job. */
  NOT_FOUND: 'E_NOT_FOUND',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class FaceganError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FaceganError';
    this.code = code;
  }
}

/** A received value already worded for a message (e.g. `shape [3, 8, 8]`), printed as is. */
export class Verbatim {
  constructor(readonly text: string) {}
}

/** `shape [a, b, c]`, for messages about tensors. */
export const shapeText = (shape: readonly number[]): Verbatim => new Verbatim(`shape [${shape.join(', ')}]`);

/** Formats a received value for messages: short, and never the whole of a large array. */
export function describe(value: unknown): string {
  if (value instanceof Verbatim) return value.text;
  if (Array.isArray(value))
    return value.length > 8 ? `[${value.slice(0, 8).join(', ')}, ...]` : `[${value.join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return String(value);
}

/**
 * One helper so that every bad-argument error reads alike:
 * `Expected an integer between 1 and 1000 for size but received 0`.
 */
export function invalid(what: string, name: string, received: unknown, hint?: string): FaceganError {
  const tail = hint ? `. ${hint}` : '';
  return new FaceganError(
    ErrorCodes.BAD_ARGUMENT,
    `Expected ${what} for ${name} but received ${describe(received)}${tail}`,
  );
}

export function isFaceganError(e: unknown): e is FaceganError {
  return e instanceof FaceganError;
}
