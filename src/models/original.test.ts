/** facegan's original model is the reference's: same parameters, names and shapes, and the same outputs in PyTorch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { rand, manualSeed, saveSafetensors, noGrad, tidy } from '../engine/index.js';
import { OriginalModel } from './original.js';
import { assertClose } from '../testing/assert.js';

// The architecture of ../shared/bench/reference_original.py, built in PyTorch, loading our weights.
const PY =
  `
import json, struct, sys, torch, torch.nn as nn
def load(path):
    b = open(path, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; ` +
  `h = json.loads(b[8:8+n]); h.pop('__metadata__', None)
    return {k: torch.frombuffer(bytearray(b[8+n+e['data_offsets'][0]:8+n+e['data_offsets'][1]]), ` +
  `dtype=torch.float32).reshape(e['shape']) for k, e in h.items()}
down = lambda i, o: [nn.Conv2d(i, o, 5, 2, padding=2), nn.LeakyReLU(0.1)]
up = lambda i, f: [nn.Conv2d(i, f * 4, 3, 1, padding=1), nn.LeakyReLU(0.1), nn.PixelShuffle(2)]
class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.Sequential(*down(3, 128), *down(128, 256), *down(256, 512), *down(512, 1024))
        self.dense = nn.Sequential(nn.Flatten(), nn.Linear(4 * 4 * 1024, 1024), nn.Linear(1024, 4 * 4 * 1024))
        self.up = nn.Sequential(*up(1024, 512))
    def forward(self, x): return self.up(self.dense(self.convs(x)).view(-1, 1024, 4, 4))
dec = lambda: nn.Sequential(*up(512, 256), *up(256, 128), *up(128, 64), nn.Conv2d(64, 3, 5, 1, padding=2), nn.Sigmoid())
m = nn.ModuleDict({'enc': Encoder(), 'dec_a': dec(), 'dec_b': dec()})
w = load(sys.argv[1]); x = load(sys.argv[2])['x']
missing, unexpected = m.load_state_dict(w, strict=True)
with torch.no_grad():
    z = m['enc'](x)
    print(json.dumps({'params': sum(p.numel() for p in m.parameters()), ` +
  `'a': m['dec_a'](z).flatten()[:512].tolist(), 'b': m['dec_b'](z).flatten()[-512:].tolist()}))
`;
import { testTmp } from '../testing/tmp.js';

test('original: 82,062,470 parameters, and PyTorch given our weights gives our outputs', () => {
  const dir = mkdtempSync(join(testTmp(), 'facegan-orig-'));
  try {
    manualSeed(3);
    const model = new OriginalModel({ icnr: true });
    assert.equal(model.numParameters(), 82062470);
    const x = rand([2, 3, 64, 64]);
    const [a, b] = noGrad(() => tidy(() => [model.forward(x, 'a'), model.forward(x, 'b')]));
    assert.deepEqual(a!.shape, [2, 3, 64, 64]);
    assert.ok(a!.amin().item() >= 0 && a!.amax().item() <= 1, 'sigmoid output');
    saveSafetensors(join(dir, 'w.safetensors'), model.stateDict());
    saveSafetensors(join(dir, 'x.safetensors'), { x });
    const r = spawnSync('/usr/bin/python3', ['-c', PY, join(dir, 'w.safetensors'), join(dir, 'x.safetensors')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `python3 with torch is needed (apt-get install -y python3-torch): ${r.stderr}`);
    const ref = JSON.parse(r.stdout) as { params: number; a: number[]; b: number[] };
    assert.equal(ref.params, 82062470);
    assertClose(a!.flatten().slice(0, 0, 512), ref.a, 1e-4, 'decoder A output');
    assertClose(b!.flatten().slice(0, -512), ref.b, 1e-4, 'decoder B output');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
