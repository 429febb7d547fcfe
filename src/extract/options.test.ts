/** extract() called from code checks its options as the command line does, before it reads anything. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extract } from './extract.js';
import { ErrorCodes, type FaceganError } from '../core/errors.js';

const base = { input: '/nonexistent/photos', output: '/nonexistent/faces' };
const refused = (pattern: RegExp) => (e: FaceganError) => e.code === ErrorCodes.USAGE && pattern.test(e.message);

test('extract({ size: 10 }) and other bad values from code get the command line messages', async () => {
  await assert.rejects(extract({ ...base, size: 10 }), refused(/integer between 64 and 2048 for size \(--size\)/));
  await assert.rejects(extract({ ...base, coverage: 2 }), refused(/between 0.3 and 1 for coverage \(--coverage\)/));
  await assert.rejects(extract({ ...base, everyN: 0.5 }), refused(/an integer of at least 1 for everyN \(--every-n\)/));
  await assert.rejects(extract({ ...base, rotations: 'yes' as unknown as boolean }), refused(/true or false/));
  await assert.rejects(extract({ input: base.input } as typeof base), refused(/Missing output \(--output\)/));
});
