/** npm run bench <name> [flags]: runs one benchmark and prints its one JSON line on stdout. */
import { parseOptions, optionsHelp, type OptionSchema } from '../src/core/options.js';
import { isFaceganError } from '../src/core/errors.js';

interface Bench<S extends OptionSchema> {
  options: S;
  run(o: ReturnType<typeof parseOptions<S>>['options']): Record<string, unknown> | Promise<Record<string, unknown>>;
}
const bench = <S extends OptionSchema>(b: Bench<S>) => b as unknown as Bench<OptionSchema>;

/**
 * Every benchmark, with its options declared once (parsing, validation and --help come from the schema). Each is
 * loaded only when named, so that the engine's benches run where the face and image packages are not installed
 * (a GPU machine given the engine alone).
 */
const benches: Record<string, () => Promise<Bench<OptionSchema>>> = {
  engine: () => import('./engine.js').then((m) => bench({ options: m.engineOptions, run: m.benchEngine })),
  bf16: () => import('./bf16.js').then((m) => bench({ options: m.bf16Options, run: m.benchBf16 })),
  extract: () => import('./extract.js').then((m) => bench({ options: m.extractOptions, run: m.benchExtract })),
  convert: () => import('./convert.js').then((m) => bench({ options: m.convertOptions, run: m.benchConvert })),
  train: () => import('./train.js').then((m) => bench({ options: m.trainOptions, run: m.benchTrain })),
  cyclegan: () => import('./cyclegan.js').then((m) => bench({ options: m.cycleganOptions, run: m.benchCyclegan })),
  stylegan: () => import('./stylegan.js').then((m) => bench({ options: m.styleganOptions, run: m.benchStylegan })),
  detectors: () => import('./detectors.js').then((m) => bench({ options: m.detectorsOptions, run: m.benchDetectors })),
  'face-nets': () => import('./face-nets.js').then((m) => bench({ options: m.faceNetsOptions, run: m.benchFaceNets })),
  ops: () => import('./ops.js').then((m) => bench({ options: m.opsOptions, run: m.benchOps })),
  queue: () => import('./queue.js').then((m) => bench({ options: m.queueOptions, run: m.benchQueue })),
  'mouth-ceiling': () =>
    import('./mouth-ceiling.js').then((m) => bench({ options: m.mouthCeilingOptions, run: m.benchMouthCeiling })),
  convergence: () =>
    import('./convergence.js').then((m) => bench({ options: m.convergenceOptions, run: m.benchConvergence })),
};

const [name, ...rest] = process.argv.slice(2);
const load = name ? benches[name] : undefined;
if (!load) {
  console.error(
    `Expected a benchmark name (${Object.keys(benches).join(', ')}) ` +
      `but received ${name ?? 'none'}: npm run bench -- engine`,
  );
  process.exit(2);
}
const chosen = await load();
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
