/** The libtorch locator: what it tells the build for each layout, and what it tells the user when none is found. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testTmp } from '../src/testing/tmp.js';

const script = fileURLToPath(new URL('./libtorch.mjs', import.meta.url));
const locate = (arg: string, env: Record<string, string>) =>
  spawnSync(process.execPath, [script, arg], { encoding: 'utf8', env: { ...process.env, ...env } });

/** A fake libtorch folder with the files the locator looks for. */
function fakeLibtorch(opts: { cuda: boolean; abi?: 0 | 1 }): string {
  const root = mkdtempSync(join(testTmp(), 'facegan-libtorch-'));
  mkdirSync(join(root, 'include/torch/csrc/api/include/torch'), { recursive: true });
  writeFileSync(join(root, 'include/torch/csrc/api/include/torch/version.h'), '#define TORCH_VERSION "2.5.0"\n');
  mkdirSync(join(root, 'lib'));
  for (const lib of [
    'libtorch.so',
    'libtorch_cpu.so',
    'libc10.so',
    ...(opts.cuda ? ['libtorch_cuda.so', 'libc10_cuda.so'] : []),
  ]) {
    writeFileSync(join(root, 'lib', lib), '');
  }
  if (opts.abi !== undefined) {
    mkdirSync(join(root, 'share/cmake/Torch'), { recursive: true });
    writeFileSync(
      join(root, 'share/cmake/Torch/TorchConfig.cmake'),
      `set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=${opts.abi}")\n`,
    );
  }
  return root;
}

test('a CUDA libtorch given by LIBTORCH: include paths, rpath, CUDA libraries and its C++ ABI', () => {
  const root = fakeLibtorch({ cuda: true, abi: 0 });
  try {
    assert.equal(
      locate('--include', { LIBTORCH: root }).stdout.trim(),
      `${root}/include ${root}/include/torch/csrc/api/include`,
    );
    const libs = locate('--libs', { LIBTORCH: root }).stdout;
    assert.match(libs, new RegExp(`-L${root}/lib -Wl,-rpath,${root}/lib`));
    assert.match(libs, /-ltorch -ltorch_cpu -lc10 -ltorch_cuda -lc10_cuda/);
    assert.equal(locate('--cflags', { LIBTORCH: root }).stdout.trim(), '_GLIBCXX_USE_CXX11_ABI=0');
    assert.match(locate('--check', { LIBTORCH: root }).stdout, /with CUDA/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a CPU libtorch without cmake files links no CUDA libraries and sets no ABI', () => {
  const root = fakeLibtorch({ cuda: false });
  try {
    assert.doesNotMatch(locate('--libs', { LIBTORCH: root }).stdout, /cuda/);
    assert.equal(locate('--cflags', { LIBTORCH: root }).stdout.trim(), '');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a LIBTORCH that is not libtorch fails with what was expected', () => {
  const r = locate('--check', { LIBTORCH: '/nonexistent/libtorch' });
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /LIBTORCH=\/nonexistent\/libtorch does not look like libtorch: expected .*torch\/version.h and .*libtorch.so/,
  );
});

test("Debian's libtorch-dev is found when LIBTORCH is not set", () => {
  const r = locate('--check', { LIBTORCH: '' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Debian libtorch-dev/);
});
