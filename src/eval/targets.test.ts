import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failingMeasures, firstPass, SWAP_TARGETS } from './targets.js';

const good = {
  evalDetection: 1,
  evalRetrievalUnder: 1,
  evalMouthCorrelation: 0.9,
  evalPsnr: 29.1,
  evalBaselinePsnr: 28.8,
};

test('a swap passes when all four measures hold; each failing one is named with its figure', () => {
  assert.deepEqual(failingMeasures(good), []);
  assert.deepEqual(failingMeasures({ ...good, evalMouthCorrelation: 0.131 }), [
    `mouth correlation 0.131 < ${SWAP_TARGETS.mouthCorrelation}`,
  ]);
  assert.match(
    failingMeasures({ ...good, evalPsnr: 27.4, evalBaselinePsnr: 28.45 })[0]!,
    /reconstruction 27\.40 dB <= mean face 28\.45 dB/,
  );
  assert.equal(failingMeasures({}).length, 4, 'a figure not measured fails');
  // with the template baseline measured, the swap must beat it (not the oracle mean of the frames themselves)
  assert.deepEqual(failingMeasures({ ...good, evalPsnr: 28.0, evalTemplatePsnr: 27.1 }), []);
  assert.match(
    failingMeasures({ ...good, evalTemplatePsnr: 29.5 })[0]!,
    /reconstruction 29\.10 dB <= template 29\.50 dB/,
  );
});

test('the first pass in a log is the first evaluation that passed all four, with its training time', () => {
  const log = [
    { iteration: 1000, seconds: 480, ...good, evalMouthCorrelation: 0.02 },
    { iteration: 1500, seconds: 700 },
    { iteration: 2000, seconds: 960, ...good },
    { iteration: 3000, seconds: 1440, ...good },
  ];
  assert.deepEqual(firstPass(log), { iteration: 2000, seconds: 960 });
  assert.equal(firstPass(log.slice(0, 2)), undefined);
});
