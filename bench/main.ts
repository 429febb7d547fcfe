/** npm run bench <name> [flags]: runs one benchmark and prints its one JSON line on stdout. */
import { benchArgs } from './util.js';
import { benchEngine } from './engine.js';
import { benchBf16 } from './bf16.js';
import { isFaceganError } from '../src/core/errors.js';

const benches = { engine: benchEngine, bf16: benchBf16 } as const satisfies Record<string, (a: ReturnType<typeof benchArgs>) => Record<string, unknown>>;

const [name, ...rest] = process.argv.slice(2);
if (!name || !(name in benches)) {
  console.error(`Expected a benchmark name (${Object.keys(benches).join(', ')}) but received ${name ?? 'none'}: npm run bench -- engine`);
  process.exit(2);
}
try {
  console.log(JSON.stringify(benches[name as keyof typeof benches](benchArgs(rest))));
} catch (e) {
  console.error(`bench ${name}: ${isFaceganError(e) || e instanceof Error ? (e as Error).message : String(e)}`);
  process.exit(1);
}
