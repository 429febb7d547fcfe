#!/usr/bin/env node
// Builds the native engine (build/Release/facegan_native.node) with node-gyp. Run by `npm ci` (install script)
// and by `npm run build:native`. Skips the build when the addon is newer than its sources and the libtorch choice
// has not changed; FACEGAN_REBUILD=1 forces it. FACEGAN_NATIVE_FROM=/path/to/build/Release/facegan_native.node
// copies an addon built for the same libtorch and Node instead (installs on many alike machines, the package test).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'build/Release/facegan_native.node');
const stamp = join(root, 'build/libtorch.txt');

const check = spawnSync(process.execPath, [join(root, 'scripts/libtorch.mjs'), '--check'], { encoding: 'utf8' });
if (check.status !== 0) {
  process.stderr.write(check.stderr);
  process.exit(1);
}
const choice = `${check.stdout.trim()} node ${process.versions.node}`;

const sources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
const upToDate =
  !process.env.FACEGAN_REBUILD &&
  existsSync(addon) &&
  existsSync(stamp) &&
  readFileSync(stamp, 'utf8') === choice &&
  sources.every((f) => statSync(f).mtimeMs < statSync(addon).mtimeMs);
if (upToDate) {
  console.log(`facegan: native engine is up to date (${choice})`);
  process.exit(0);
}

const from = process.env.FACEGAN_NATIVE_FROM;
if (from) {
  const fromStamp = join(dirname(from), '..', 'libtorch.txt');
  if (existsSync(from) && existsSync(fromStamp) && readFileSync(fromStamp, 'utf8') === choice) {
    mkdirSync(dirname(addon), { recursive: true });
    copyFileSync(from, addon);
    writeFileSync(stamp, choice);
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(addon)})`], { stdio: 'pipe' });
    console.log(`facegan: native engine copied from ${from} (${choice})`);
    process.exit(0);
  }
  console.log(`facegan: ${from} is not an engine built for ${choice}; building one`);
}

console.log(`facegan: building the native engine against ${choice} (a few minutes)`);
// npm hands its bundled node-gyp to scripts; outside npm, use the one on PATH or npx.
const gyp = process.env.npm_config_node_gyp;
// Same libtorch as last time: an incremental build recompiles only the changed sources.
const incremental =
  existsSync(join(root, 'build/Makefile')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === choice;
const args = [
  incremental ? 'build' : 'rebuild',
  `--jobs=${Math.max(1, Math.min(4, (await import('node:os')).availableParallelism()))}`,
];
if (existsSync('/usr/include/node/node_api.h') && !process.env.npm_config_nodedir) args.push('--nodedir=/usr');
const result = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit' })
  : spawnSync('npx', ['--yes', 'node-gyp', ...args], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write('\nfacegan: the native engine did not build; the compiler output above says why.\n');
  process.exit(1);
}
writeFileSync(stamp, choice);
try {
  execFileSync(process.execPath, ['-e', `require(${JSON.stringify(addon)})`], { stdio: 'pipe' });
} catch (e) {
  process.stderr.write(`\nfacegan: the engine built but does not load:\n${e.stderr}\n`);
  process.exit(1);
}
console.log('facegan: native engine built');
