/**
 * Where the shared test data live: ../shared beside the checkout (FACEGAN_SHARED=/path/to/shared overrides).
 * Tests read real faces from there and never copy them into the project.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED = resolve(process.env.FACEGAN_SHARED ?? fileURLToPath(new URL('../../../shared', import.meta.url)));

/** A path under shared/data, checked to exist. */
export function sharedData(...parts: string[]): string {
  const p = join(SHARED, 'data', ...parts);
  if (!existsSync(p))
    throw new Error(
      `Test data not found at ${p}: ` +
        'the shared folder belongs beside the checkout (../shared), or set FACEGAN_SHARED=/path/to/shared.',
    );
  return p;
}
