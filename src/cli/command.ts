/** The shape of a CLI command: a summary, its option schema, and a run function that calls the public API. */
import type { OptionSchema, Parsed } from '../core/options.js';

export interface Command<S extends OptionSchema = OptionSchema> {
  summary: string;
  /** Extra help text: examples, notes. */
  details?: string;
  options: S;
  // biome-ignore lint/suspicious/noConfusingVoidType: a command returns an exit code or nothing
  run(options: Parsed<S>, positionals: string[]): Promise<number | void> | number | void;
}

export const defineCommand = <S extends OptionSchema>(c: Command<S>): Command<S> => c;

/** Any command, whatever its options (for registries). */
export type AnyCommand = Omit<Command, 'run'> & { run(options: never, positionals: string[]): unknown };
