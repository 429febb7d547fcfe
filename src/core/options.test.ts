import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSchemas, parseOptions, optionsHelp, type OptionSchema } from './options.js';
import { ErrorCodes } from './errors.js';
import { assertFails } from '../testing/assert.js';

const schema = {
  input: { type: 'string', short: 'i', help: 'input file', required: true },
  size: { type: 'int', help: 'crop size', default: 256, min: 64, max: 1024 },
  coverage: { type: 'number', help: 'share of the face', default: 0.75, min: 0.5, max: 1 },
  color: { type: 'string', help: 'colour mode', default: 'avg-color', choices: ['avg-color', 'none'] },
  preview: { type: 'boolean', help: 'write a contact sheet' },
  filter: { type: 'list', help: 'identity images' },
} as const satisfies OptionSchema;

test('parses long, short, = and list forms and fills defaults', () => {
  const { options, positionals } = parseOptions(schema, [
    '-i',
    'a.jpg',
    '--size=128',
    '--preview',
    '--filter',
    'x.jpg',
    'y.jpg',
    '--color',
    'none',
    'extra',
  ]);
  assert.deepEqual(options, {
    input: 'a.jpg',
    size: 128,
    coverage: 0.75,
    color: 'none',
    preview: true,
    filter: ['x.jpg', 'y.jpg'],
  });
  assert.deepEqual(positionals, ['extra']);
  assert.equal(parseOptions(schema, ['-i', 'a', '--no-preview']).options.preview, false);
});

const bad: [string[], RegExp][] = [
  [['--size', '64.5', '-i', 'a'], /Expected an integer between 64 and 1024 for --size but received "64.5"/],
  [['--size', '4', '-i', 'a'], /between 64 and 1024 for --size but received "4"/],
  [['--coverage', 'lots', '-i', 'a'], /Expected a number between 0.5 and 1 for --coverage/],
  [['--color', 'blue', '-i', 'a'], /Expected one of avg-color, none for --color but received "blue"/],
  [['--sise', '4'], /Unknown option --sise. Options here: --input, --size/],
  [['-i'], /Expected a value after -i/],
  [[], /Missing --input: input file/],
];
for (const [argv, pattern] of bad) {
  test(`refuses ${argv.join(' ') || 'a missing required option'}`, () => {
    assertFails(() => parseOptions(schema, argv), ErrorCodes.USAGE, pattern);
  });
}

test('help lists every option with its default', () => {
  const help = optionsHelp(schema);
  assert.match(help, /-i, --input <string>\s+input file \(required\)/);
  assert.match(help, /--size <int>\s+crop size \(default 256\)/);
  assert.match(help, /--color <avg-color\|none>/);
});

test("merged schemas keep both owners' meaning of a shared setting, and neither default", () => {
  const pair = { weight: { type: 'number', help: 'the latent cycle', default: 0, min: 0, max: 100 } } as const;
  const cyclegan = {
    weight: { type: 'number', help: 'CycleGAN: lambda', default: 10, min: 0, max: 100 },
    blocks: { type: 'int', help: 'CycleGAN: blocks', default: 9 },
  } as const;
  const merged = mergeSchemas<OptionSchema>({ pair, CycleGAN: cyclegan });
  assert.equal(merged.weight!.help, 'pair: the latent cycle (default 0); CycleGAN: lambda (default 10)');
  assert.equal(merged.weight!.default, undefined, 'each owner fills in its own default');
  assert.equal(parseOptions(merged, []).options.weight, undefined);
  assert.equal(merged.blocks, cyclegan.blocks, 'a setting of one owner is left as it is');
  assert.match(optionsHelp(merged), /--weight <number> +pair: the latent cycle \(default 0\); CycleGAN: lambda/);
  const int = { weight: { type: 'int', help: 'n', min: 0, max: 100 } } as const;
  assert.throws(() => mergeSchemas({ pair, other: int }), /--weight is declared with different types or ranges/);
});
