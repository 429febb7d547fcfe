/** The settings of work shared over the queue, declared once for every command that can share its work out. */
import type { OptionSchema } from '../core/options.js';
import { DEFAULT_PART_SECONDS } from './job.js';

export const JOB_SCHEMA = {
  queue: {
    type: 'string',
    help:
      'share the work out over workers through this Redis (redis://HOST:PORT; see facegan worker); ' +
      'default FACEGAN_QUEUE',
  },
  partSeconds: {
    type: 'number',
    help: 'with --queue: cut videos into parts of about this many seconds (at keyframes)',
    default: DEFAULT_PART_SECONDS,
    min: 1,
    max: 3600,
  },
} as const satisfies OptionSchema;

/** The queue to use: the one given, else FACEGAN_QUEUE's, else none (this process does the work). */
export const queueOf = (given?: string) => given ?? (process.env.FACEGAN_QUEUE || undefined);
