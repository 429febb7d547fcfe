#!/usr/bin/env node
// Finds libtorch for the native build and prints what binding.gyp asks for:
//   --include  include folders      --libs  linker flags      --cflags  compiler defines      --check  a summary
// LIBTORCH=/path (a libtorch download, or the `torch` folder of a PyTorch install) wins; otherwise Debian's
// libtorch-dev is used. When neither is found it says exactly how to get one and exits 1.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const HOW_TO_GET = `libtorch (>= 1.13) was not found, so facegan's engine cannot be built.
Install it one of these ways, then run the install again (npm ci, or npm run build:native):
  - Debian 12 / Ubuntu 23.04 or newer:  sudo apt-get install -y libtorch-dev
  - a libtorch download (CPU or CUDA) from pytorch.org, unpacked:  export LIBTORCH=/path/to/libtorch
  - an installed PyTorch:  export LIBTORCH="$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')"`;

function fromEnv(root) {
  const include = [join(root, 'include'), join(root, 'include/torch/csrc/api/include')];
  const lib = join(root, 'lib');
  if (!existsSync(join(include[1], 'torch/version.h')) || !existsSync(join(lib, 'libtorch.so'))) {
    fail(
      `LIBTORCH=${root} does not look like libtorch: expected ${include[1]}/torch/version.h and ${lib}/libtorch.so.`,
    );
  }
  const cmake = join(root, 'share/cmake/Torch/TorchConfig.cmake');
  const abi = existsSync(cmake) ? /_GLIBCXX_USE_CXX11_ABI=(\d)/.exec(readFileSync(cmake, 'utf8'))?.[1] : undefined;
  const cuda = existsSync(join(lib, 'libtorch_cuda.so'));
  const libs = [`-L${lib}`, `-Wl,-rpath,${lib}`, '-Wl,--no-as-needed', '-ltorch', '-ltorch_cpu', '-lc10'];
  if (cuda) libs.push('-ltorch_cuda', '-lc10_cuda');
  libs.push('-Wl,--as-needed');
  return { source: `LIBTORCH=${root}`, include, libs, defines: abi ? [`_GLIBCXX_USE_CXX11_ABI=${abi}`] : [], cuda };
}

function fromDebian() {
  const include = ['/usr/include', '/usr/include/torch/csrc/api/include'];
  if (!existsSync(join(include[1], 'torch/version.h'))) return undefined;
  const libDir = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib'].find(
    (d) => existsSync(d) && readdirSync(d).includes('libtorch.so'),
  );
  if (!libDir) return undefined;
  return {
    source: 'Debian libtorch-dev',
    include,
    libs: ['-ltorch', '-ltorch_cpu', '-lc10'],
    defines: [],
    cuda: false,
  };
}

function fail(message) {
  process.stderr.write(`\nfacegan: ${message}\n\n`);
  process.exit(1);
}

const found = process.env.LIBTORCH ? fromEnv(process.env.LIBTORCH) : fromDebian();
if (!found) fail(HOW_TO_GET);
const arg = process.argv[2] ?? '--check';
if (arg === '--include') console.log(found.include.join(' '));
else if (arg === '--libs') console.log(found.libs.join(' '));
else if (arg === '--cflags') console.log(found.defines.join(' '));
else console.log(`libtorch: ${found.source}${found.cuda ? ' (with CUDA)' : ''}`);
