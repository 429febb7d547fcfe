/**
 * The code's form, checked with every test run: Biome's formatter (120 columns, single quotes) and its recommended
 * lint rules (biome.json) over src/, bench/, scripts/ and bin/. `npm run format` rewrites what the formatter would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');

test('biome ci: the code is formatted and passes the lint rules', () => {
  const r = spawnSync(
    join(root, 'node_modules/.bin/biome'),
    ['ci', '--error-on-warnings', '--max-diagnostics=20', '--colors=off'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, `npm run format, then fix what is left:\n${r.stdout}${r.stderr}`);
});

test('no line is longer than 120 characters (Biome does not break long strings: split them with +)', () => {
  const files = spawnSync('git', ['ls-files', 'src', 'bench', 'scripts', 'bin', 'web'], { cwd: root, encoding: 'utf8' })
    .stdout.split('\n')
    .filter((f) => /\.(ts|mjs|js|html|css)$/.test(f));
  assert.ok(files.length > 100, 'the sources were listed');
  const long = files.flatMap((f) =>
    readFileSync(join(root, f), 'utf8')
      .split('\n')
      .flatMap((line, i) => (line.length > 120 ? [`${f}:${i + 1} (${line.length})`] : [])),
  );
  assert.deepEqual(long, []);
});
