/** One extract task as a worker runs it (see extract-job.ts for the job). */
import { renameSync } from 'node:fs';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { extractPart } from '../extract/extract.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { ExtractJob, Task } from './job.js';

/** What a task found beside its frames (its alignments file holds those): written with it, read at the merge. */
export interface TaskNotes {
  unreadable: { file: string; reason: string }[];
  filtered: number;
  warnings: string[];
}

export const notesFile = (t: Task) => t.output.replace(/\.alignments\.json$/, '.notes.json');
const partialFile = (t: Task) => t.output.replace(/\.alignments\.json$/, '.partial.alignments.json');

/**
 * Runs one extract task: its faces into the job's faces folder, its frames into its own alignments file (resumed
 * when an earlier try died), which is renamed into place only when the task is whole.
 */
export async function runExtractTask(
  job: ExtractJob,
  task: Task,
  o: { signal?: AbortSignal; onProgress?: (done: number) => void; onWarning?: (m: string) => void },
): Promise<void> {
  const s = await extractPart(
    {
      ...job.options,
      input: task.input,
      alignments: partialFile(task),
      ...(o.signal ? { signal: o.signal } : {}),
      onProgress: (p) => o.onProgress?.(p.done),
      ...(o.onWarning ? { onWarning: o.onWarning } : {}),
    },
    { ...(task.frames ? { frames: task.frames } : {}), ...(task.files ? { files: task.files } : {}) },
  );
  if (s.stopped) throw new FaceganError(ErrorCodes.QUEUE, `Task ${task.index} of job ${job.id} was stopped.`);
  const notes: TaskNotes = { unreadable: s.unreadable, filtered: s.filtered, warnings: s.warnings };
  writeFileAtomic(notesFile(task), [JSON.stringify(notes)]);
  renameSync(partialFile(task), task.output);
}
