/**
 * The facegan command. Thin: it maps flags to options and calls the public API. Errors a user can cause are
 * printed as one message (never a stack) with a non-zero exit; FACEGAN_DEBUG=1 shows stacks.
 */
import { optionsHelp, parseOptions } from '../core/options.js';
import { ErrorCodes, FaceganError } from '../core/errors.js';
import type { AnyCommand, Command } from './command.js';
import { info } from './info.js';
import { extractCommand } from './extract.js';
import { trainCommand } from './train.js';
import { convertCommand } from './convert.js';
import { demoCommand } from './demo.js';
import { evalCommand } from './eval.js';
import { translateCommand } from './translate.js';
import { generateCommand } from './generate.js';
import { interpolateCommand } from './interpolate.js';
import { evalGenCommand } from './eval-gen.js';
import { projectCommand } from './project.js';
import { facesCommand } from './faces.js';
import { alignmentsCommand } from './alignments.js';
import { workerCommand } from './worker.js';
import { jobsCommand } from './jobs.js';
import { serveCommand } from './serve.js';
import { VERSION } from '../version.js';

/** Every command, by the name typed on the command line. */
export const commands = {
  extract: extractCommand,
  train: trainCommand,
  convert: convertCommand,
  translate: translateCommand,
  generate: generateCommand,
  interpolate: interpolateCommand,
  project: projectCommand,
  eval: evalCommand,
  'eval-gen': evalGenCommand,
  faces: facesCommand,
  alignments: alignmentsCommand,
  worker: workerCommand,
  jobs: jobsCommand,
  serve: serveCommand,
  demo: demoCommand,
  info,
} as const satisfies Record<string, AnyCommand>;

const mainHelp = () => `facegan ${VERSION}: GAN face swapping for photos and videos, on libtorch

Usage: facegan <command> [options]     facegan <command> --help

Commands:
${Object.entries(commands)
  .map(([n, c]) => `  ${n.padEnd(13)}${c.summary}`)
  .join('\n')}

Use facegan responsibly: swap only faces you have consent to use, and keep outputs labelled as synthetic.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const command = (commands as Record<string, Command>)[name];
  if (!command)
    throw new FaceganError(
      ErrorCodes.USAGE,
      `Unknown command "${name}". Commands: ${Object.keys(commands).join(', ')} (facegan --help)`,
    );
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(
      `facegan ${name}: ${command.summary}\n\nOptions:\n${optionsHelp(command.options)}` +
        `${command.details ? `\n\n${command.details}` : ''}`,
    );
    return 0;
  }
  const { options, positionals } = parseOptions(command.options, rest);
  return (await command.run(options, positionals)) ?? 0;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    if (process.env.FACEGAN_DEBUG) console.error(e);
    if (e instanceof FaceganError) {
      console.error(`facegan: ${e.message}`);
      process.exitCode = e.code === ErrorCodes.USAGE ? 2 : 1;
    } else {
      console.error(
        `facegan: unexpected error: ${(e as Error)?.message ?? e}\n` +
          'This is a bug in facegan; please report it with the command you ran (FACEGAN_DEBUG=1 shows details).',
      );
      process.exitCode = 70;
    }
  }
}
