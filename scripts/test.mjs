#!/usr/bin/env node
// Runs every *.test.ts under src/, bench/ and scripts/ with node's own test runner (through tsx), one file at a time
// (each test uses all cores through libtorch). Extra arguments are passed on: npm test -- --test-name-pattern=adam
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
const files = [...find(join(root, 'src')), ...find(join(root, 'bench')), ...find(join(root, 'scripts'))].filter(
  (f) => !filters.length || filters.some((x) => f.includes(x)),
);
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
    '--test-concurrency=1',
    '--test-reporter=spec',
    ...args.filter((a) => a.startsWith('--')),
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FACEGAN_TEST_FIXTURES: fixtures } },
);
rmSync(fixtures, { recursive: true, force: true });
process.exit(r.status ?? 1);
