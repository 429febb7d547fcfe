/**
 * What a finished job made, for its page: the pictures, videos and reports it wrote (a folder's first few), each
 * with the synthetic label its metadata carries, and for a photo converted or translated the photo it came from.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { IMAGE_EXTENSIONS } from '../media/image.js';
import { readImageSourceType, readVideoSourceType } from '../media/provenance.js';
import { isVideoFile } from '../media/video.js';
import type { JobRecord } from './jobs.js';

export interface ResultFile {
  path: string;
  kind: 'image' | 'video' | 'report';
  /** The IPTC digital source type in its metadata (the synthetic label), if any. */
  label?: string;
  /** For a photo converted or translated: the photo it came from. */
  before?: string;
}

/** At most this many files of an output folder are shown. */
const SHOWN = 24;

const kindOf = (p: string): ResultFile['kind'] | undefined =>
  extname(p).toLowerCase() === '.html'
    ? 'report'
    : isVideoFile(p)
      ? 'video'
      : IMAGE_EXTENSIONS.includes(extname(p).toLowerCase() as never)
        ? 'image'
        : undefined;

async function describe(path: string, before?: string): Promise<ResultFile | undefined> {
  const kind = kindOf(path);
  if (!kind || !existsSync(path)) return undefined;
  const label =
    kind === 'image'
      ? await readImageSourceType(path).catch(() => undefined)
      : kind === 'video'
        ? readVideoSourceType(path)
        : undefined;
  return { path, kind, ...(label ? { label } : {}), ...(before ? { before } : {}) };
}

/** The result files of a job (absolute paths): what its stage wrote, from its options and its summary. */
export async function jobResults(job: JobRecord): Promise<ResultFile[]> {
  if (job.state !== 'done') return [];
  const o = job.resolved as { input?: string; output?: string; modelDir?: string };
  const summary = (job.summary ?? {}) as { folder?: string; html?: string; files?: string[] };
  let paths: { path: string; before?: string }[] = [];
  if (job.stage === 'eval' && summary.folder) paths = [{ path: join(summary.folder, 'report.html') }];
  else if (job.stage === 'eval-gen' && summary.html) paths = [{ path: summary.html }];
  else if (job.stage === 'generate' && summary.files) paths = summary.files.slice(0, SHOWN).map((path) => ({ path }));
  else if ((job.stage === 'convert' || job.stage === 'translate') && o.output && existsSync(o.output)) {
    if (statSync(o.output).isDirectory())
      paths = readdirSync(o.output)
        .filter((f) => !f.startsWith('.'))
        .sort()
        .slice(0, SHOWN)
        .map((f) => ({ path: join(o.output!, f) }));
    else {
      const photoIn = o.input && kindOf(o.input) === 'image' && kindOf(o.output) === 'image';
      paths = [{ path: o.output, ...(photoIn ? { before: o.input! } : {}) }];
    }
  }
  const out: ResultFile[] = [];
  for (const p of paths) {
    const r = await describe(p.path, p.before);
    if (r) out.push(r);
  }
  return out;
}
