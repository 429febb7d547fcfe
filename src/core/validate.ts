/**
 * Every file facegan reads (alignments, crop records, a model folder's config, state and log, safetensors headers)
 * is checked against its schema before anything uses it, and a file that does not fit is refused in one line that
 * names the file, the field and what was expected. Schemas are zod's: one declaration gives the check, the message
 * and (for the dashboard's forms and the library's users) a JSON Schema.
 */
import { z } from 'zod';
import { describe, ErrorCodes, FaceganError, type ErrorCode } from './errors.js';

/** `frames["a.jpg"].faces[0].landmarks[3]`: where in a document an issue lies. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && /^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

/** The value at `path` in `doc`, for the message (undefined where the path leaves the document). */
function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** What is wrong, in words: the field, what it should be, and what it holds. */
export function issueText(error: z.ZodError, doc: unknown): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? fieldPath(issue.path) : 'the document';
  const expected = issue.message.replace(/^Invalid input: /, '').replace(/, received .*$/, '');
  const held = issue.code === 'custom' ? '' : ` (it holds ${describe(valueAt(doc, issue.path))})`;
  return `${where}: ${expected}${held}`;
}

/**
 * Checks `raw` against `schema` and returns the parsed value, or throws one FaceganError naming `file`, the first
 * field that does not fit, and `advice` (what to do).
 */
export function checked<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  file: string,
  advice: string,
  code: ErrorCode = ErrorCodes.BAD_FILE,
): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw new FaceganError(code, `${file} is not valid: ${issueText(r.error, raw)}; ${advice}`, { cause: r.error });
}

/** A finite number (JSON has no NaN; a null in its place is refused). */
export const finite = z.number();
/** A whole number at least 0. */
export const count = z.number().int().min(0);
