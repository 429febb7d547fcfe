/**
 * facegan serve: the dashboard's HTTP server (fastify). It serves the page (web/, plain files: no build step), the
 * stages' settings for its forms, jobs (start, list, follow by server-sent events, stop, resume) and the workspace's
 * files. Every path is resolved inside the workspace; a server on any address but loopback needs the token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { checkGiven, type OptionSchema } from '../core/options.js';
import { listFaces, removeFaces } from './faces.js';
import { JobRunner } from './jobs.js';
import { jobResults } from './results.js';
import { MAX_UPLOAD_BYTES, saveUpload } from './upload.js';
import { DASHBOARD_STAGES } from './stages.js';
import { Workspace } from './workspace.js';

export interface ServeOptions {
  workspace: string;
  host?: string;
  port?: number;
  /** Required of every request when given (always when the host is not loopback). */
  token?: string;
  /** Jobs run at once (default 1: a job uses every core). */
  jobs?: number;
}

const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
const UPLOT = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
/** The page's own files. */
const PAGE_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
/**
 * What the workspace's files are served as: pictures, videos, text and reports, always under a sandbox CSP, so that
 * nothing in them runs with the dashboard's rights (an HTML file is shown, its scripts never run); others are refused.
 */
const FILE_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', // (reports; under a sandbox CSP: no script runs, no cookie is reachable)
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.json': 'application/json',
  '.jsonl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export const isLoopback = (host: string) => ['127.0.0.1', '::1', 'localhost'].includes(host);

/** What a form sent, checked field by field against the stage's settings: errors by field, paths resolved. */
export function checkForm(
  schema: OptionSchema,
  given: Record<string, unknown>,
  ws: Workspace,
): { resolved: Record<string, unknown>; errors: Record<string, string>; outside: boolean } {
  const errors: Record<string, string> = {};
  const resolved: Record<string, unknown> = {};
  let outside = false;
  for (const name of Object.keys(given))
    if (!(name in schema)) errors[name] = `${name} is not a setting of this stage.`;
  for (const [name, spec] of Object.entries(schema)) {
    const v = given[name];
    if (v === undefined || v === '') {
      if ('required' in spec && spec.required) errors[name] = `Required: ${spec.help}.`;
      continue;
    }
    try {
      checkGiven({ [name]: spec }, { [name]: v });
      resolved[name] = spec.path
        ? Array.isArray(v)
          ? v.map((p) => ws.resolve(p as string, name))
          : ws.resolve(v as string, name)
        : v;
    } catch (e) {
      if (!(e instanceof FaceganError)) throw e;
      outside ||= e.code === ErrorCodes.FORBIDDEN;
      errors[name] = e.message;
    }
  }
  return { resolved, errors, outside };
}

/**
 * Sends a file of one of `types`; a `range` (bytes=START-END, as a video player asks while it seeks) gets that part
 * alone (206).
 */
function sendFile(reply: FastifyReply, path: string, types: Record<string, string>, range?: string): FastifyReply {
  if (!existsSync(path) || !statSync(path).isFile()) return reply.code(404).send({ error: 'Not found.' });
  const type = types[extname(path).toLowerCase()];
  if (!type)
    return reply
      .code(415)
      .send({ error: `The dashboard shows pictures, videos, reports and text files, not ${extname(path)}.` });
  reply
    .header('content-type', type)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .header('accept-ranges', 'bytes');
  const size = statSync(path).size;
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (!m || (!m[1] && !m[2])) return reply.header('content-length', size).send(createReadStream(path));
  // bytes=START-END, bytes=START- (to the end), bytes=-N (the last N)
  const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
  const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  if (start >= size || start > end) return reply.code(416).header('content-range', `bytes */${size}`).send();
  return reply
    .code(206)
    .header('content-range', `bytes ${start}-${end}/${size}`)
    .header('content-length', end - start + 1)
    .send(createReadStream(path, { start, end }));
}

/** Whether a request's Host names this server on loopback (a page elsewhere rebinding a name to 127.0.0.1 does not). */
function ownHost(host: string | undefined, listening: string): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return isLoopback(name) || name === listening;
}

const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

export async function buildServer(
  o: ServeOptions,
): Promise<{ app: FastifyInstance; runner: JobRunner; ws: Workspace }> {
  const ws = new Workspace(o.workspace);
  const runner = new JobRunner(ws, o.jobs ?? 1);
  const app = Fastify({ logger: false, bodyLimit: 1 << 20 });
  const streams = new Set<ServerResponse>();
  app.addHook('onClose', async () => {
    for (const r of streams) r.end(); // (open event streams would keep the server from closing)
    runner.close();
  });

  const host = o.host ?? '127.0.0.1';
  app.addHook('onRequest', async (req, reply) => {
    // a page of another site may not reach a loopback dashboard by rebinding its name to 127.0.0.1, nor post to it
    if (!o.token && !ownHost(req.headers.host, host))
      return reply.code(403).send({ error: `This dashboard answers to ${host} only, not to ${req.headers.host}.` });
    const origin = req.headers.origin;
    if (
      req.method !== 'GET' &&
      origin &&
      origin !== 'null' &&
      URL.canParse(origin) &&
      new URL(origin).host !== req.headers.host
    )
      return reply.code(403).send({ error: `Requests from ${origin} are refused: use the dashboard's own page.` });
  });
  // the token: from the page's first visit (?token=) a cookie carries it; API clients send a bearer header
  if (o.token) {
    const token = o.token;
    app.addHook('onRequest', async (req, reply) => {
      const url = new URL(req.url, 'http://x');
      const cookies = [...(req.headers.cookie ?? '').matchAll(/(?:^|;\s*)facegan_token=([^;]+)/g)].map((m) => m[1]!);
      const given = [
        url.searchParams.get('token') ?? '',
        /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '',
        ...cookies,
      ];
      if (!given.some((g) => same(g, token)))
        return reply
          .code(401)
          .send({ error: 'This dashboard needs its token: open it with ?token=TOKEN (printed at start).' });
      if (url.searchParams.get('token'))
        reply.header('set-cookie', `facegan_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
    });
  }
  app.setErrorHandler((e, _req, reply) => {
    if (e instanceof FaceganError) {
      const status = e.code === ErrorCodes.FORBIDDEN ? 403 : e.code === ErrorCodes.NOT_FOUND ? 404 : 400;
      return reply.code(status).send({ error: e.message, code: e.code });
    }
    const status = (e as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send({ error: status === 500 ? 'Internal error.' : (e as Error).message });
  });

  const page = (reply: FastifyReply, path: string) =>
    sendFile(reply.header('content-security-policy', "frame-ancestors 'none'"), path, PAGE_TYPES);
  app.get('/', (_req, reply) => page(reply, join(WEB, 'index.html')));
  app.get('/web/:file', (req, reply) => {
    const file = (req.params as { file: string }).file;
    if (!/^[\w-]+\.(html|js|css)$/.test(file)) return reply.code(404).send({ error: 'Not found.' });
    return page(reply, join(WEB, file));
  });
  app.get('/vendor/uplot.js', (_req, reply) => page(reply, join(UPLOT, 'dist', 'uPlot.iife.min.js')));
  app.get('/vendor/uplot.css', (_req, reply) => page(reply, join(UPLOT, 'dist', 'uPlot.min.css')));

  app.get('/api/stages', async () =>
    Object.fromEntries(Object.entries(DASHBOARD_STAGES).map(([k, s]) => [k, { summary: s.summary, schema: s.schema }])),
  );
  app.get('/api/workspace', async () => ({ root: ws.root }));
  app.get('/api/jobs', async () => runner.list());
  app.get('/api/jobs/:id', async (req) => runner.get((req.params as { id: string }).id));
  app.post('/api/jobs', async (req, reply) => {
    const body = (req.body ?? {}) as { stage?: unknown; options?: Record<string, unknown> };
    const stage =
      typeof body.stage === 'string' && Object.hasOwn(DASHBOARD_STAGES, body.stage)
        ? DASHBOARD_STAGES[body.stage]
        : undefined;
    if (!stage)
      return reply.code(400).send({ error: `Expected a stage: one of ${Object.keys(DASHBOARD_STAGES).join(', ')}.` });
    const options = body.options && typeof body.options === 'object' ? body.options : {};
    const { resolved, errors, outside } = checkForm(stage.schema, options, ws);
    if (Object.keys(errors).length)
      return reply.code(outside ? 403 : 400).send({ error: 'Some settings are not right.', errors });
    return reply.code(201).send(runner.create(body.stage as string, options, resolved));
  });
  app.get('/api/jobs/:id/results', async (req) => {
    const results = await jobResults(runner.get((req.params as { id: string }).id));
    return results.map((r) => ({ ...r, path: ws.show(r.path), ...(r.before ? { before: ws.show(r.before) } : {}) }));
  });
  app.post('/api/jobs/:id/stop', async (req) => runner.stop((req.params as { id: string }).id));
  app.post('/api/jobs/:id/resume', async (req) => runner.resume((req.params as { id: string }).id));

  // a job's events as they are written (server-sent events): what is there first, then each new line
  app.get('/api/jobs/:id/events', (req, reply) => {
    const id = (req.params as { id: string }).id;
    runner.get(id);
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    let at = 0,
      state = '';
    const push = () => {
      const job = runner.get(id);
      const { lines, next } = runner.events(id, at);
      at = next;
      for (const l of lines) reply.raw.write(`data: ${l}\n\n`);
      const now = JSON.stringify({ type: 'state', state: job.state, run: job.run, error: job.error });
      if (now !== state) reply.raw.write(`data: ${now}\n\n`);
      state = now;
    };
    push();
    const timer = setInterval(push, 500);
    reply.raw.on('close', () => {
      clearInterval(timer);
      streams.delete(reply.raw);
    });
  });

  // the faces browser: a faces folder's crops with their records; removing bad ones (moved aside, alignments updated)
  app.get('/api/faces', async (req) => {
    const { dir } = req.query as { dir?: string };
    return listFaces(ws.resolve(dir ?? '', 'faces folder'));
  });
  app.post('/api/faces/remove', async (req) => {
    const body = (req.body ?? {}) as { dir?: string; files?: string[]; alignments?: string };
    const dir = ws.resolve(body.dir ?? '', 'faces folder');
    const alignments = body.alignments ? ws.resolve(body.alignments, 'alignments file') : undefined;
    const r = removeFaces(dir, body.files ?? [], alignments);
    return { ...r, to: ws.show(r.to), ...(r.backup ? { backup: ws.show(r.backup) } : {}) };
  });

  // an upload: the raw file as the body (the page sends it so), into a folder of the workspace
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  app.put('/api/upload', { bodyLimit: MAX_UPLOAD_BYTES }, async (req, reply) => {
    const { dir, name } = req.query as { dir?: string; name?: string };
    const folder = ws.resolve(dir || '.', 'folder');
    const saved = await saveUpload(folder, name ?? '', req.body as Readable);
    return reply.code(201).send({ path: ws.show(saved) });
  });

  // a file of the workspace (a preview, a result, an alignments file), never one outside it
  app.get('/api/files', (req, reply) => {
    const { path, download } = req.query as { path?: string; download?: string };
    const file = ws.resolve(path ?? '', 'file');
    if (download)
      reply.header('content-disposition', `attachment; filename="${basename(file).replace(/["\\\r\n]/g, '_')}"`);
    return sendFile(reply.header('content-security-policy', 'sandbox'), file, FILE_TYPES, req.headers.range);
  });
  return { app, runner, ws };
}

/**
 * Starts the dashboard; returns its URL (with the token, when one is needed) and a way to stop it.
 * @example
 * const { url, close } = await serve({ workspace: 'work/', port: 7860 });
 * console.log(`open ${url}`); // later: await close()
 */
export async function serve(o: ServeOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const host = o.host ?? '127.0.0.1';
  // on any other address than loopback, requests need a token: the one given, or one made now (and printed)
  const token = o.token ?? (isLoopback(host) ? undefined : randomBytes(16).toString('hex'));
  const { app } = await buildServer({ ...o, ...(token ? { token } : {}) });
  await app.listen({ host, port: o.port ?? 7860 });
  const address = app.server.address() as { port: number };
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${address.port}/${token ? `?token=${token}` : ''}`,
    close: () => app.close(),
  };
}
