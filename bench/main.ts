/** npm run bench <name> [flags]: runs one benchmark and prints its one JSON line on stdout. */
import { benchEngine, engineOptions } from './engine.js';
import { benchBf16, bf16Options } from './bf16.js';
import { benchExtract, extractOptions } from './extract.js';
import { benchConvert, convertOptions } from './convert.js';
import { benchTrain, trainOptions } from './train.js';
import { benchCyclegan, cycleganOptions } from './cyclegan.js';
import { benchConvergence, convergenceOptions } from './convergence.js';
import { parseOptions, optionsHelp, type OptionSchema } from '../src/core/options.js';
import { isFaceganError } from '../src/core/errors.js';

interface Bench<S extends OptionSchema> { options: S; run(o: ReturnType<typeof parseOptions<S>>['options']): Record<string, unknown> | Promise<Record<string, unknown>> }
const bench = <S extends OptionSchema>(b: Bench<S>) => b as unknown as Bench<OptionSchema>;

/** Every benchmark, with its options declared once (parsing, validation and --help come from the schema). */
const benches: Record<string, Bench<OptionSchema>> = {
  engine: bench({ options: engineOptions, run: benchEngine }),
  bf16: bench({ options: bf16Options, run: benchBf16 }),
  extract: bench({ options: extractOptions, run: benchExtract }),
  convert: bench({ options: convertOptions, run: benchConvert }),
  train: bench({ options: trainOptions, run: benchTrain }),
  cyclegan: bench({ options: cycleganOptions, run: benchCyclegan }),
  convergence: bench({ options: convergenceOptions, run: benchConvergence }),
};

const [name, ...rest] = process.argv.slice(2);
const chosen = name ? benches[name] : undefined;
if (!chosen) {
  console.error(`Expected a benchmark name (${Object.keys(benches).join(', ')}) but received ${name ?? 'none'}: npm run bench -- engine`);
  process.exit(2);
}
if (rest.includes('--help')) {
  console.log(`npm run bench -- ${name} [options]\n${optionsHelp(chosen.options)}`);
  process.exit(0);
}
try {
  console.log(JSON.stringify(await chosen.run(parseOptions(chosen.options, rest).options)));
} catch (e) {
  console.error(`bench ${name}: ${isFaceganError(e) || e instanceof Error ? (e as Error).message : String(e)}`);
  process.exit(1);
}
