/**
 * The publishable package, as a Node project gets it: `npm pack` in a copy of the checkout gives a tarball of
 * compiled ESM JavaScript with .d.ts files (no TypeScript sources, no tsx); `npm install` of it in an empty folder
 * builds (here: copies, FACEGAN_NATIVE_FROM) the native engine; then `npx facegan` runs, and plain JavaScript imports
 * a stage from 'facegan' and runs it on a shared photo, and TypeScript type-checks a use of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testTmp } from '../src/testing/faces.js';
import { sharedData } from '../src/testing/data.js';

const root = join(fileURLToPath(import.meta.url), '../..');
const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;

function run(cmd: string, args: string[], cwd: string, extra: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env, ...extra }, maxBuffer: 1 << 26 });
  assert.equal(
    r.status,
    0,
    `${cmd} ${args.join(' ')} failed in ${cwd}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`,
  );
  return r.stdout;
}

test('npm pack, npm install in an empty folder, then the CLI and a stage from plain JavaScript', {
  timeout: 600_000,
}, async () => {
  const tmp = join(testTmp(), 'package');
  // a copy of the checkout, so that the build (prepack) never leaves a dist/ in the working tree
  const copy = join(tmp, 'checkout');
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md'])
    cpSync(join(root, f), join(copy, f));
  for (const d of ['src', 'bin', 'native', 'scripts', 'web']) cpSync(join(root, d), join(copy, d), { recursive: true });
  cpSync(join(root, 'binding.gyp'), join(copy, 'binding.gyp'));
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tmp], copy)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const files = packed[0]!.files.map((f) => f.path);
  for (const f of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cli/main.js',
    'bin/facegan.js',
    'binding.gyp',
    'web/app.js',
  ])
    assert.ok(files.includes(f), `the tarball holds ${f}`);
  assert.deepEqual(
    files.filter((f) => f.startsWith('src/') || /\.test\.|testing\//.test(f)),
    [],
    'no sources, tests or test helpers',
  );
  assert.ok(!existsSync(join(copy, 'dist')), 'postpack removed the build');

  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(tmp, packed[0]!.filename)], app, {
    FACEGAN_NATIVE_FROM: join(root, 'build/Release/facegan_native.node'),
    npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr',
  });
  assert.ok(!existsSync(join(app, 'node_modules', 'tsx')), 'installed without tsx: it runs compiled JavaScript');

  assert.match(run('npx', ['facegan', '--help'], app), /extract/);
  assert.match(run('npx', ['facegan', 'info'], app), /libtorch\s+\d/);

  const s1 = sharedData('faces', 'grid_s1');
  const photo = join(s1, readdirSync(s1).sort()[0]!); // one face: the install is under test, not the detector
  const faces = join(tmp, 'faces');
  const script = `import { extract, VERSION } from 'facegan';
const s = await extract({ input: ${JSON.stringify(photo)}, output: ${JSON.stringify(faces)},
  alignments: ${JSON.stringify(join(tmp, 'faces.alignments.json'))} });
console.log(JSON.stringify({ version: VERSION, faces: s.faces }));`;
  writeFileSync(join(app, 'use.js'), script);
  const out = JSON.parse(run(process.execPath, ['use.js'], app).trim().split('\n').at(-1)!);
  assert.equal(out.version, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  assert.ok(out.faces >= 1, `faces found by the installed package (${out.faces})`);
  assert.equal(readdirSync(faces).filter((f) => f.endsWith('.png')).length, out.faces, 'a crop per face');

  // the dashboard runs from the installed package (its page is in the tarball)
  // (the installed bin itself, not through npx: a kill must reach the server)
  const bin = join(app, 'node_modules', 'facegan', 'bin', 'facegan.js');
  const serve = spawn(process.execPath, [bin, 'serve', '--port', '0', '--workspace', join(tmp, 'ws')], {
    cwd: app,
    env,
  });
  try {
    const url = await new Promise<string>((res, rej) => {
      let out = '';
      serve.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /facegan dashboard: (\S+)/.exec(out);
        if (m) res(m[1]!);
      });
      serve.on('exit', (code) => rej(new Error(`facegan serve exited (${code}): ${out}`)));
    });
    assert.equal((await fetch(url)).status, 200);
    assert.match(await (await fetch(new URL('/web/app.js', url))).text(), /EventSource/);
    assert.ok('train' in ((await (await fetch(new URL('/api/stages', url))).json()) as object));
  } finally {
    serve.kill('SIGKILL');
    serve.stdout.destroy();
  }

  // its types: a TypeScript project type-checks a call, and a wrong option is caught
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
    }),
  );
  writeFileSync(
    join(app, 'use.ts'),
    "import { extract, type ExtractOptions } from 'facegan';\n" +
      "const o: ExtractOptions = { input: 'a.jpg', output: 'faces/' };\nexport const p = extract(o);\n",
  );
  const tsc = join(root, 'node_modules/.bin/tsc');
  run(tsc, ['-p', '.'], app);
  writeFileSync(join(app, 'use.ts'), "import { extract } from 'facegan';\nexport const p = extract({ input: 1 });\n");
  const bad = spawnSync(tsc, ['-p', '.'], { cwd: app, encoding: 'utf8' });
  assert.notEqual(bad.status, 0, 'a wrong option type is a type error');
  assert.match(bad.stdout, /use\.ts\(2,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
});
