/**
 * The dashboard end to end, in real headless Chromium (Debian's, driven by playwright-core): a tiny training job
 * started from the page, its loss chart and preview updating, stopped and resumed (the iteration count goes on),
 * the server killed -9 mid-job and started again (the job's true state shown), bad values and paths outside the
 * workspace refused next to their field and over raw HTTP, and the token asked of a server on a non-loopback
 * address. The screenshots in docs/images are taken here: FACEGAN_SCREENSHOTS=docs/images npm test -- dashboard
 * writes them there (a plain run writes them into its temporary folder, leaving the checkout as it was).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { extractedFaces, testTmp } from '../testing/faces.js';
import { sharedData } from '../testing/data.js';
import { BIN, ROOT, workerEnv } from '../testing/queue-workers.js';
import { extract } from '../extract/extract.js';
import { readAlignmentsFile } from '../io/alignments-file.js';
import { DIGITAL_SOURCE_TYPE } from '../media/provenance.js';
import { Readable } from 'node:stream';
import { saveUpload } from './upload.js';

const CHROMIUM = process.env.FACEGAN_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.FACEGAN_SCREENSHOTS ? resolve(ROOT, process.env.FACEGAN_SCREENSHOTS) : testTmp();
let browser: Browser, ws: string;

/** A dashboard server process on a free port; resolves with its URL once it listens. */
function startServer(args: string[] = []): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--workspace', ws, '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: workerEnv,
  });
  let out = '';
  return new Promise((resolve, reject) => {
    proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const url = /facegan dashboard: (\S+)/.exec(out)?.[1];
      if (url) resolve({ proc, url });
    });
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
    proc.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${out}`)));
  });
}
const kill = (p: ChildProcess) =>
  new Promise<void>((r) => {
    if (p.exitCode !== null || p.signalCode !== null) return r();
    p.once('exit', () => r());
    p.kill('SIGKILL');
  });
/** Waits until `f` holds (polled), or fails with `what`. */
async function until(what: string, f: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const num = async (page: Page, sel: string, attr: string) => Number(await page.getAttribute(sel, attr));

before(async () => {
  ws = join(testTmp(), 'dashboard-ws');
  // four photos of each side, copied into the workspace (the dashboard refuses links that lead out of it)
  for (const [side, name] of [
    ['a', 'grid_s1'],
    ['b', 'grid_s2'],
  ] as const) {
    mkdirSync(join(ws, side), { recursive: true });
    for (const f of readdirSync(sharedData('faces', name)).sort().slice(0, 4))
      copyFileSync(sharedData('faces', name, f), join(ws, side, f));
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
after(async () => browser?.close());

/** Fills the train form for a tiny CycleGAN in MODEL (and any other values given), then starts it. */
async function startTraining(page: Page, model: string, more: Record<string, string> = {}) {
  await page.click('#stages button[value="train"]');
  await page.fill('#f-a', 'a');
  await page.fill('#f-b', 'b');
  await page.fill('#f-modelDir', model);
  await page.click('#more summary');
  await page.selectOption('#f-model', 'cyclegan');
  const tiny = { size: '32', ngf: '8', ndf: '8', blocks: '1', batchSize: '2', iterations: '100000' };
  for (const [k, v] of Object.entries({ ...tiny, previewEvery: '5', saveEvery: '5', ...more }))
    await page.fill(`#f-${k}`, v);
  await page.click('#start');
}

test('a training job from the page: chart and preview update, stop and resume go on, a killed server shows the truth', {
  timeout: 300_000,
}, async () => {
  let server = await startServer();
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  try {
    await page.goto(server.url);
    // a bad value: the error next to its field, nothing started
    await startTraining(page, 'model', { iterations: '-5' });
    await until('the field error', async () => (await page.textContent('[data-for="iterations"]'))!.length > 0);
    assert.match((await page.textContent('[data-for="iterations"]'))!, /Expected an integer .* for iterations/);
    assert.equal(await page.locator('#jobs tbody tr').count(), 0, 'no job was made');

    await page.fill('#f-iterations', '100000');
    await page.click('#start');
    await until('the loss chart', async () => (await num(page, '#chart', 'data-points')) >= 3, 120_000);
    await until('a preview', async () => (await num(page, '#preview', 'data-loaded')) >= 1);
    const points = await num(page, '#chart', 'data-points');
    await until('the chart to grow', async () => (await num(page, '#chart', 'data-points')) > points + 2);
    await page.click('#more summary'); // (folded again, for the picture)
    await page.screenshot({ path: join(SHOTS, 'dashboard-train.png'), fullPage: true });

    await page.click('#stop');
    await until('stopped', async () => (await page.textContent('#job-state')) === 'stopped');
    const id = (await page.textContent('#job-id'))!;
    const stoppedAt = await num(page, '#job-progress', 'data-done');
    assert.ok(existsSync(join(ws, 'model', 'state.json')), 'a checkpoint was written on stop');
    const log = await fetch(new URL((await page.getAttribute('#job-log', 'href'))!, server.url));
    assert.equal(log.status, 200, "the job's log is kept and shown");
    await page.click('#resume');
    await until('running again', async () => (await page.textContent('#job-state')) === 'running');
    await until('past the stop', async () => (await num(page, '#job-progress', 'data-done')) > stoppedAt);
    const job = (await (await fetch(new URL(`/api/jobs/${id}`, server.url))).json()) as { run: number };
    assert.equal(job.run, 2, 'the same job, run again');

    // the server killed -9 mid-job: the job's own process goes on, and a new server shows it running
    await kill(server.proc);
    server = await startServer();
    await page.goto(server.url);
    await page.click(`#jobs tbody tr[data-job="${id}"]`);
    await until('the job shown running', async () => (await page.textContent('#job-state')) === 'running');
    const before = await num(page, '#job-progress', 'data-done');
    await until('progress after the restart', async () => (await num(page, '#job-progress', 'data-done')) > before);
    // its process killed too: the server says so instead of showing it running for ever
    const pid = ((await (await fetch(new URL(`/api/jobs/${id}`, server.url))).json()) as { pid: number }).pid;
    process.kill(pid, 'SIGKILL');
    await until('interrupted', async () => (await page.textContent('#job-state')) === 'interrupted');
    assert.match((await page.textContent('#job-error'))!, /ended without a result/);
    await page.locator('#job').screenshot({ path: join(SHOTS, 'dashboard-interrupted.png') });

    // the model translates a photo from the page: the result beside the photo, labelled synthetic
    const photo = `a/${readdirSync(join(ws, 'a')).sort()[0]}`;
    await page.click('#stages button[value="translate"]');
    await page.fill('#f-input', photo);
    await page.fill('#f-output', 'translated.png');
    await page.fill('#f-modelDir', 'model');
    await page.click('#start');
    await until('the translation done', async () => (await page.textContent('#job-state')) === 'done', 120_000);
    await until('its result', async () => (await num(page, '#results', 'data-count')) === 1);
    assert.equal(await page.getAttribute('#results figure', 'data-label'), DIGITAL_SOURCE_TYPE);
    assert.equal(await page.locator('#results figure img').count(), 2, 'before and after');
    await page.locator('#job').screenshot({ path: join(SHOTS, 'dashboard-result.png') });
  } finally {
    await page.close();
    await kill(server.proc);
  }
});

test('the faces browser: thumbnails with landmarks, sorted by identity and blur; bad faces removed with a backup', {
  timeout: 180_000,
}, async () => {
  // five frames of one speaker and one of another, extracted into the workspace
  const photos = join(ws, 'photos');
  mkdirSync(photos, { recursive: true });
  for (const f of readdirSync(sharedData('faces', 'grid_s1')).sort().slice(0, 5))
    copyFileSync(sharedData('faces', 'grid_s1', f), join(photos, f));
  const other = readdirSync(sharedData('faces', 'grid_s2')).sort()[0]!;
  copyFileSync(sharedData('faces', 'grid_s2', other), join(photos, other));
  const alignments = join(ws, 'faces.alignments.json');
  const x = await extract({ input: photos, output: join(ws, 'faces'), alignments, size: 64 });
  assert.equal(x.faces, 6);
  const server = await startServer();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (d) => void d.accept());
  try {
    await page.goto(server.url);
    await page.fill('#faces-dir', 'faces');
    await page.fill('#faces-alignments', 'faces.alignments.json');
    await page.click('#faces-load');
    await until('the thumbnails', async () => (await num(page, '#faces', 'data-count')) === 6);
    assert.equal(await page.locator('#faces .face').first().locator('circle').count(), 68, '68 landmarks drawn');
    // identity: the other speaker is least like the rest
    const first = (await page.getAttribute('#faces .face >> nth=0', 'data-file'))!;
    assert.ok(first.startsWith(other.replace(/\.\w+$/, '')), `${first} is the other speaker's face`);
    await page.selectOption('#faces-sort', 'blur');
    const api = (await (await fetch(new URL('/api/faces?dir=faces', server.url))).json()) as {
      faces: { file: string; blur: number }[];
    };
    const byBlur = [...api.faces].sort((a, b) => a.blur - b.blur).map((f) => f.file);
    const shown = await page.$$eval('#faces .face', (els) => els.map((e) => e.getAttribute('data-file')));
    assert.deepEqual(shown, byBlur, 'sorted by blur');
    await page.selectOption('#faces-sort', 'identity');
    await page.click('#faces .face >> nth=0');
    await page.locator('#faces-panel').screenshot({ path: join(SHOTS, 'dashboard-faces.png') });
    await page.click('#faces-remove');
    await until('one face fewer', async () => (await num(page, '#faces', 'data-count')) === 5);
    await until('the status', async () => /backup/.test((await page.textContent('#faces-status'))!));
    const doc = readAlignmentsFile(alignments);
    assert.equal(
      Object.values(doc.frames).reduce((n, f) => n + f.faces.length, 0),
      5,
      'the alignments file lost that face',
    );
    assert.ok(existsSync(`${alignments}.bak`), 'after a backup');
    const aside = readdirSync(join(ws, 'faces')).find((f) => f.startsWith('.removed-'))!;
    assert.deepEqual(readdirSync(join(ws, 'faces', aside)), [first], 'the crop moved aside, not deleted');
  } finally {
    await page.close();
    await kill(server.proc);
  }
});

test('training measured as it goes (--eval-every): the evaluation shown in the job page', {
  timeout: 240_000,
}, async () => {
  for (const [dir, name] of [
    ['fa', 'grid_s1'],
    ['fb', 'grid_s2'],
  ] as const)
    cpSync(await extractedFaces(name, 6), join(ws, dir), { recursive: true });
  const server = await startServer();
  const page = await browser.newPage();
  try {
    const options = {
      a: 'fa',
      b: 'fb',
      modelDir: 'pair-model',
      iterations: 4,
      batchSize: 4,
      evalEvery: 4,
      evalInput: 'a',
      evalFrames: 3,
    };
    const r = await fetch(new URL('/api/jobs', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stage: 'train', options }),
    });
    assert.equal(r.status, 201);
    const { id } = (await r.json()) as { id: string };
    await page.goto(server.url);
    await page.click(`#jobs tbody tr[data-job="${id}"]`);
    await until('done', async () => (await page.textContent('#job-state')) === 'done', 200_000);
    await until('the evaluation', async () => /eval at 4: detection/.test((await page.textContent('#events'))!));
    const log = readFileSync(join(ws, 'pair-model', 'log.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.ok('evalDetection' in JSON.parse(log.at(-1)!), "the figures are in the model's log too");
  } finally {
    await page.close();
    await kill(server.proc);
  }
});

test('uploads: a photo saved into the workspace; a file that is not what its name says, or a name out, refused', {
  timeout: 60_000,
}, async () => {
  const server = await startServer();
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    const photo = sharedData('group', 'flickr_race_ccby_petermooney.jpg');
    const fake = join(testTmp(), 'not-a-photo.jpg');
    writeFileSync(fake, 'plain text, named .jpg');
    await page.fill('#upload-dir', 'uploads');
    await page.setInputFiles('#upload-files', [photo, fake]);
    await page.click('#upload');
    await until('both answered', async () => (await page.locator('#uploaded li[data-ok]').count()) === 2);
    assert.equal(await page.getAttribute('#uploaded li >> nth=0', 'data-ok'), 'true');
    assert.ok(existsSync(join(ws, 'uploads', 'flickr_race_ccby_petermooney.jpg')), 'saved');
    assert.match((await page.textContent('#uploaded li >> nth=1'))!, /not the image its name says/);
    assert.ok(!existsSync(join(ws, 'uploads', 'not-a-photo.jpg')), 'nothing kept of it');
    assert.deepEqual(
      readdirSync(join(ws, 'uploads')).filter((f) => f.startsWith('.')),
      [],
      'no partial file left',
    );
    const put = (q: string) =>
      fetch(new URL(`/api/upload?${q}`, server.url), {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: 'x',
      });
    assert.equal((await put('dir=uploads&name=..%2Fx.jpg')).status, 400, 'a name that leaves the folder');
    assert.equal((await put('dir=..&name=x.jpg')).status, 403, 'a folder outside');
    assert.equal((await put('dir=uploads&name=x.exe')).status, 400, 'not a picture or a video');
    assert.equal((await put('dir=uploads&name=flickr_race_ccby_petermooney.jpg')).status, 400, 'no replacing');
  } finally {
    await page.close();
    await kill(server.proc);
  }
  // the size limit
  await assert.rejects(
    saveUpload(join(ws, 'uploads'), 'big.jpg', Readable.from([Buffer.alloc(64)]), 16),
    /larger than/,
  );
  assert.ok(!existsSync(join(ws, 'uploads', 'big.jpg')));
});

test('paths outside the workspace are refused, from the page and over raw HTTP', { timeout: 120_000 }, async () => {
  const server = await startServer();
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    await startTraining(page, '../outside-model');
    await until('the field error', async () => (await page.textContent('[data-for="modelDir"]'))!.length > 0);
    assert.match((await page.textContent('[data-for="modelDir"]'))!, /outside the workspace/);
    const api = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);
    for (const p of ['../../etc/passwd', '/etc/passwd', 'a/../../x'])
      assert.equal((await api(`/api/files?path=${encodeURIComponent(p)}`)).status, 403, p);
    const post = await api('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stage: 'extract', options: { input: 'a', output: '/tmp/faces-out' } }),
    });
    assert.equal(post.status, 403);
    assert.match(((await post.json()) as { errors: Record<string, string> }).errors.output!, /outside the workspace/);
    assert.equal((await api('/api/files?path=a')).status, 404, 'a folder is not a file');
    // a workspace file a browser would run is shown sandboxed (no script runs), others are not served
    writeFileSync(join(ws, 'page.html'), '<script>alert(1)</script>');
    const html = await api('/api/files?path=page.html');
    assert.equal(html.headers.get('content-security-policy'), 'sandbox');
    writeFileSync(join(ws, 'tool.sh'), 'echo hi');
    assert.equal((await api('/api/files?path=tool.sh')).status, 415);
    const photo = await api(`/api/files?path=${encodeURIComponent(`a/${readdirSync(join(ws, 'a'))[0]}`)}`);
    assert.equal(photo.status, 200);
    assert.equal(photo.headers.get('x-content-type-options'), 'nosniff');
    // a part of a file, as a video player asks for while it seeks
    const whole = new Uint8Array(await photo.arrayBuffer());
    const photoUrl = `/api/files?path=${encodeURIComponent(`a/${readdirSync(join(ws, 'a'))[0]}`)}`;
    const part = await api(photoUrl, { headers: { range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${whole.length}`);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), whole.subarray(100, 200));
    const tail = await api(photoUrl, { headers: { range: 'bytes=-10' } });
    assert.deepEqual(new Uint8Array(await tail.arrayBuffer()), whole.subarray(whole.length - 10));
    assert.equal((await api(photoUrl, { headers: { range: `bytes=${whole.length}-` } })).status, 416);
    assert.equal((await api('/api/jobs/nope')).status, 404);
    const json = { 'content-type': 'application/json' };
    for (const stage of ['constructor', ['extract'], 'nope'])
      assert.equal(
        (await api('/api/jobs', { method: 'POST', headers: json, body: JSON.stringify({ stage }) })).status,
        400,
      );
    // another site's page: by a rebound name (another Host), or posting from its origin
    const port = Number(new URL(server.url).port);
    const status = (headers: Record<string, string>, method = 'GET') =>
      new Promise<number>((res, rej) =>
        request({ host: '127.0.0.1', port, path: '/api/jobs', method, headers }, (r) => {
          r.resume();
          res(r.statusCode!);
        })
          .on('error', rej)
          .end(method === 'POST' ? '{}' : undefined),
      );
    assert.equal(await status({ host: `evil.example:${port}` }), 403, 'another Host');
    assert.equal(await status({ host: `localhost:${port}` }), 200);
    assert.equal(
      await status(
        { host: `127.0.0.1:${port}`, origin: 'http://evil.example', 'content-type': 'application/json' },
        'POST',
      ),
      403,
      'a post from another origin',
    );
    // one server per workspace
    await assert.rejects(startServer(), /in use by another facegan/);
  } finally {
    await page.close();
    await kill(server.proc);
  }
});

test('a server on a non-loopback address refuses requests without its token', { timeout: 60_000 }, async () => {
  const server = await startServer(['--host', '0.0.0.0']);
  try {
    const token = new URL(server.url).searchParams.get('token');
    assert.ok(token && token.length >= 32, 'a token was made and printed');
    const port = new URL(server.url).port;
    const at = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);
    assert.equal((await at('/api/jobs')).status, 401);
    assert.equal((await at('/')).status, 401);
    assert.equal((await at('/api/jobs', { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await at('/api/jobs', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${port}/?token=${token}`);
      const stages = Object.keys(
        (await (await at('/api/stages', { headers: { authorization: `Bearer ${token}` } })).json()) as object,
      );
      assert.deepEqual(stages, ['extract', 'train', 'translate', 'generate', 'eval', 'eval-gen', 'convert']);
      await until('the page', async () => (await page.locator('#stages button').count()) === stages.length);
      await page.screenshot({ path: join(SHOTS, 'dashboard.png') });
    } finally {
      await page.close();
    }
  } finally {
    await kill(server.proc);
  }
});
