/** facegan faces sort -i FACES_DIR -o SORTED_DIR --by identity|blur|yaw|size */
import { defineCommand } from './command.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import { SORT_KEYS, sortFaces, type SortKey } from '../tools/sort-faces.js';

export const facesCommand = defineCommand({
  summary: 'tools on a faces folder: sort (copy the faces in order of identity, blur, yaw or size)',
  details: `Examples:
  facegan faces sort -i faces_a/ -o faces_a_sorted/ --by identity   (other people and odd crops come last)
  facegan faces sort -i faces_a/ -o by_blur/ --by blur               (blurred faces come last)

The faces are copied with their rank in front of the name (0001_...); the input folder is not touched. Delete
the faces you do not want from the input folder, then facegan alignments remove drops them from the alignments
file too.

Keys (--by):
${Object.entries(SORT_KEYS)
  .map(([k, v]) => `  ${k.padEnd(10)}${v}`)
  .join('\n')}`,
  options: {
    input: { type: 'string', short: 'i', help: 'faces folder written by facegan extract', required: true },
    output: { type: 'string', short: 'o', help: 'new folder for the sorted copies (default: INPUT_sorted)' },
    by: { type: 'string', help: 'sort key', default: 'identity', choices: Object.keys(SORT_KEYS) as SortKey[] },
  },
  async run(o, positionals) {
    if (positionals[0] !== 'sort')
      throw new FaceganError(
        ErrorCodes.USAGE,
        `Expected a faces tool (facegan faces sort -i FACES_DIR ...), but received ${positionals[0] ?? 'none'}.`,
      );
    const r = await sortFaces(o.input, o.output ?? `${o.input.replace(/\/+$/, '')}_sorted`, o.by);
    const show = (x: { file: string; value?: number }) =>
      `${x.file}${x.value === undefined ? '' : ` (${x.value.toFixed(3)})`}`;
    for (const s of r.skipped) console.error(`skipped ${s.reason}`);
    console.log(`${r.order.length} faces sorted by ${o.by} into ${r.output}`);
    console.log(`first: ${show(r.order[0]!)}\nlast:  ${show(r.order.at(-1)!)}`);
    return 0;
  },
});
