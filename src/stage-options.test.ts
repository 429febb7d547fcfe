/** The stages called from code check their options as the command line does, before they touch anything. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convert } from './convert/convert.js';
import { translate } from './convert/translate.js';
import { evaluate } from './eval/eval.js';
import { evalGen } from './eval/gen-eval.js';
import { ErrorCodes, type FaceganError } from './core/errors.js';
import { checkGiven } from './core/options.js';
import { CONVERT_SCHEMA } from './convert/options.js';

const base = { input: '/nonexistent/in.mp4', output: '/nonexistent/out.mp4', modelDir: '/nonexistent/model' };
const refused = (pattern: RegExp) => (e: FaceganError) => e.code === ErrorCodes.USAGE && pattern.test(e.message);

test('convert({ crf: 99 }) from code gets the command line message, naming the setting both ways', async () => {
  await assert.rejects(
    convert({ ...base, crf: 99 }),
    refused(/Expected an integer between 0 and 51 for crf \(--crf\) but received 99/),
  );
  await assert.rejects(
    convert({ ...base, mask: 'bogus' as 'extended' }),
    refused(/Expected one of .*extended.* for mask \(--mask\) but received "bogus"/),
  );
  await assert.rejects(convert({ ...base, erode: '0.1' as unknown as number }), refused(/Expected a number for erode/));
  await assert.rejects(convert({ ...base, filter: 'her.jpg' as unknown as string[] }), refused(/a list of strings/));
  await assert.rejects(convert({ ...base, modelDir: undefined as unknown as string }), refused(/Missing modelDir/));
});

test('translate() from code: its own settings checked the same way', async () => {
  await assert.rejects(
    translate({ ...base, direction: 'up' as 'a2b' }),
    refused(/Expected one of a2b, b2a for direction \(--direction\) but received "up"/),
  );
  await assert.rejects(translate({ ...base, resolution: 8 }), refused(/resolution \(--resolution\)/));
});

test('good values and settings the schema does not declare (callbacks, a signal) pass the check', () => {
  checkGiven(CONVERT_SCHEMA, { ...base, crf: 20, mask: 'components', filter: ['a.jpg'], onProgress: () => 1 });
});

const fromCodeTitle =
  'evaluate() and evalGen() from code: their settings checked the same way, before any model is loaded';
test(fromCodeTitle, async () => {
  const model = '/nonexistent/model';
  await assert.rejects(
    evaluate({ modelDir: model, input: 'x', source: 'y', maxFrames: 0 }),
    refused(/Expected an integer .*for maxFrames \(--max-frames\) but received 0/),
  );
  await assert.rejects(
    evaluate({ modelDir: model, input: 'x', source: 'y', color: 'sepia' as 'none' }),
    refused(/for color \(--color\)/),
  );
  await assert.rejects(
    evalGen({ modelDir: model, real: 'r', training: 't', samples: 2 }),
    refused(/samples \(--samples\)/),
  );
});
