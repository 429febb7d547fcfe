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

test('detection is asked of the swaps as a share of the input faces the detector finds itself', () => {
  // the detector misses 2 of 24 real faces (half out of the frame): 20 of 24 swaps found is 0.9 of what it can find
  const inputs = { evalInputDetection: 22 / 24 };
  assert.deepEqual(failingMeasures({ ...good, ...inputs, evalDetection: 20 / 24 }), []);
  assert.deepEqual(failingMeasures({ ...good, ...inputs, evalDetection: 19 / 24 }), [
    "detection 0.792 < 0.825 (0.9 of the input's 0.917)",
  ]);
  // all the input faces found, or the input not measured: 0.9 of all swaps
  assert.equal(failingMeasures({ ...good, evalInputDetection: 1, evalDetection: 0.875 }).length, 1);
  assert.match(failingMeasures({ ...good, evalDetection: 0.875 })[0]!, /^detection 0\.875 < 0\.9$/);
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
