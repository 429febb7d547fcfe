#!/usr/bin/env node
// Runs every *.test.ts under src/, bench/ and scripts/ with node's own test runner (through tsx), two files at a time,
// each with one libtorch thread (FACEGAN_THREADS=1): the face models (tfjs-wasm) run on one core, so that one file at a
// time left a core idle for much of the suite. FACEGAN_TEST_CONCURRENCY sets how many files run at a time (1 gives
// each test every core again). Extra arguments are passed on: npm test -- --test-name-pattern=adam
// The files share one fixture folder (FACEGAN_TEST_FIXTURES, see src/testing/faces.ts), removed at the end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : find(p);
    return name.endsWith('.test.ts') ? [relative(root, p)] : [];
  });
}
const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
// The slowest files first (measured: 1-3 minutes each), so that the suite does not end on one of them with the other
// lane idle; a queue file (several worker processes) beside a single-threaded one. The rest follow in path order.
const SLOW = [
  'src/queue/queue.test.ts',
  'src/eval/eval.test.ts',
  'src/cli/reliability.test.ts',
  'src/queue/extract-queue.test.ts',
  'src/train/train.test.ts',
  'src/extract/extract.test.ts',
  'src/cli/main.test.ts',
  'src/server/dashboard.test.ts',
  'src/extract/hard-photos.test.ts',
  'src/train/expression.test.ts',
  'src/convert/convert.test.ts',
  'src/eval/gen-eval.test.ts',
  'scripts/package.test.ts',
];
const rank = (f) => (SLOW.includes(f) ? SLOW.indexOf(f) : SLOW.length);
const files = [...find(join(root, 'src')), ...find(join(root, 'bench')), ...find(join(root, 'scripts'))]
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)))
  .sort((a, b) => rank(a) - rank(b));
const concurrency = Number(process.env.FACEGAN_TEST_CONCURRENCY ?? 2);
if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
  console.error(`FACEGAN_TEST_CONCURRENCY must be a whole number of test files, 1 or more (got ${concurrency})`);
  process.exit(2);
}
// with one file at a time, a test gets every core unless the caller says otherwise
const threads = process.env.FACEGAN_THREADS ?? (concurrency > 1 ? '1' : undefined);
const fixtures = mkdtempSync(join(tmpdir(), 'facegan-fixtures-'));
// Ctrl-C reaches the test processes too; this one waits for them, then removes the fixtures
process.on('SIGINT', () => {});
const r = spawnSync(
  process.execPath,
  [
    // 'facegan' imported by name resolves to the sources, not the compiled package
    '--conditions=facegan-source',
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-reporter=spec',
    ...args.filter((a) => a.startsWith('--')),
    ...files,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FACEGAN_TEST_FIXTURES: fixtures, ...(threads ? { FACEGAN_THREADS: threads } : {}) },
  },
);
rmSync(fixtures, { recursive: true, force: true });
process.exit(r.status ?? 1);
