// Copies a safetensors file with every floating tensor cast to another dtype (keeping its metadata), so that a
// GPU machine can send snapshots back in half the bytes: `node --import tsx scripts/gpu/cast.mts IN OUT float16`,
// and here `... OUT IN2 float32` before they are loaded.
import { isFloating, loadSafetensors, saveSafetensors } from '../../src/engine/index.js';

const [input, output, dtype] = process.argv.slice(2);
if (!input || !output || (dtype !== 'float16' && dtype !== 'float32')) {
  console.error('usage: cast.mts IN OUT float16|float32');
  process.exit(2);
}
const { tensors, metadata } = loadSafetensors(input);
const cast = new Map([...tensors].map(([k, t]) => [k, isFloating(t.dtype) ? t.to(dtype) : t]));
saveSafetensors(output, cast, metadata);
