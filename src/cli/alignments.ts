/** facegan alignments list|remove|draw -a FILE: small tools on an alignments file. */
import { defineCommand } from './command.js';
import { progressBar } from './progress.js';
import { stoppableBySigint } from './interrupt.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { drawAlignments, listAlignments, removeMissingFaces } from '../tools/alignments-tools.js';

const ACTIONS = ['list', 'remove', 'draw'] as const;

export const alignmentsCommand = defineCommand({
  summary: 'tools on an alignments file: list it, remove faces whose crops you deleted, draw landmarks on frames',
  details: `Examples:
  facegan alignments list -a clip.alignments.json
  facegan alignments remove -a clip.alignments.json --faces faces_a/     (after deleting bad crops)
  facegan alignments draw -a clip.alignments.json -i clip.mp4 -o drawn/

remove rewrites the file atomically after copying it to FILE.bak (then FILE.1.bak, ...: none is replaced); convert
then skips the removed faces.`,
  options: {
    alignments: { type: 'string', short: 'a', help: 'the alignments file facegan extract wrote', required: true },
    faces: { type: 'string', help: 'remove: the faces folder whose remaining crops are kept' },
    yes: { type: 'boolean', help: 'remove: go ahead even when more than half the faces would go' },
    input: { type: 'string', short: 'i', help: 'draw: the frames the file describes (image, folder or video)' },
    output: { type: 'string', short: 'o', help: 'draw: folder for the drawn frames' },
    json: { type: 'boolean', help: 'list: print JSON' },
  },
  async run(o, positionals) {
    const action = positionals[0] as (typeof ACTIONS)[number];
    if (!ACTIONS.includes(action))
      throw new FaceganError(
        ErrorCodes.USAGE,
        `Expected one of ${ACTIONS.join(', ')} (facegan alignments list -a FILE), ` +
          `but received ${positionals[0] ?? 'none'}.`,
      );
    if (action === 'list') {
      const l = listAlignments(o.alignments);
      if (o.json) console.log(JSON.stringify(l));
      else {
        console.log(
          `${o.alignments}: ${l.frames} frames of ${l.input}, ${l.faces} faces, ` +
            `${l.framesWithoutFaces} frames without a face ` +
            `(schema ${l.schemaVersion}, crops ${l.crop.size} px at coverage ${l.crop.coverage})`,
        );
        console.log(
          `faces per frame: ${Object.entries(l.facesPerFrame)
            .map(([n, c]) => `${n}: ${c} frames`)
            .join(', ')}`,
        );
      }
      return 0;
    }
    if (action === 'remove') {
      if (!o.faces)
        throw new FaceganError(
          ErrorCodes.USAGE,
          'alignments remove needs --faces FACES_DIR: the folder whose crops are kept.',
        );
      const r = removeMissingFaces(o.alignments, o.faces, o.yes);
      console.log(
        r.removed
          ? `removed ${r.removed} faces whose crops are gone, kept ${r.kept}; the previous file is ${r.backup}`
          : `nothing to remove: all ${r.kept} faces still have their crops`,
      );
      return 0;
    }
    if (!o.input || !o.output)
      throw new FaceganError(ErrorCodes.USAGE, 'alignments draw needs -i INPUT (the frames) and -o OUTPUT_DIR.');
    const bar = progressBar('draw', 'frames');
    const n = await stoppableBySigint('stopping; the frames drawn so far are kept.', (signal) =>
      drawAlignments(o.alignments, o.input!, o.output!, { signal, onProgress: (p) => bar.update(p.done, p.total) }),
    );
    bar.finish();
    console.log(`${n} frames drawn into ${o.output}`);
    return 0;
  },
});
