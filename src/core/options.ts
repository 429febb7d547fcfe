/**
 * One declaration per option (type, default, range, help), used alike by the CLI's parser and help, and later the
 * dashboard's forms. Pure: no I/O.
 */
import { z } from 'zod';
import { ErrorCodes, FaceganError, describe } from './errors.js';

/**
 * `kept` and `fixed`: the default is shown in help but not filled in by the parser, so that the consumer can tell
 * "not given" from "given the default". A model folder keeps its last value of a `kept` setting when a run resumes
 * without it; a `fixed` setting is set when the folder is made and may never change (it shapes the model or data).
 * `path`: the value names a file or folder (a list: several), which the dashboard resolves inside its workspace.
 */
type Common = { help: string; short?: string; kept?: boolean; fixed?: boolean; path?: true };
export type OptionSpec =
  | (Common & { type: 'string'; default?: string; choices?: readonly string[]; required?: boolean })
  | (Common & { type: 'int' | 'number'; default?: number; min?: number; max?: number; required?: boolean })
  | (Common & { type: 'boolean'; default?: boolean })
  | (Common & { type: 'list'; default?: readonly string[]; required?: boolean });

export type OptionSchema = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S extends { type: 'string'; choices: readonly (infer C extends string)[] }
  ? C
  : S extends { type: 'string' }
    ? string
    : S extends { type: 'int' | 'number' }
      ? number
      : S extends { type: 'boolean' }
        ? boolean
        : string[];

export type Parsed<S extends OptionSchema> = {
  [K in keyof S]:
    | ValueOf<S[K]>
    | (S[K] extends { kept: true } | { fixed: true }
        ? undefined
        : S[K] extends { default: unknown } | { required: true }
          ? never
          : undefined);
};

/** Every setting of a schema with its value: what a resolved configuration holds. */
export type Resolved<S extends OptionSchema> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** The settings of a schema that may be given (all optional), as an API caller passes them. */
export type Given<S extends OptionSchema> = { [K in keyof S]?: ValueOf<S[K]> };

/** The defaults a schema declares. */
export function schemaDefaults(schema: OptionSchema): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([, s]) => s.default !== undefined)
      .map(([k, s]) => [k, s.default]),
  );
}

/**
 * Several owners' schemas as one (the families' settings under one command): a setting that two owners declare keeps
 * one entry whose help gives each owner's meaning and default, labelled (`pair models: ...; CycleGAN: ...`), and no
 * default of its own, since each owner fills in its own. Such a setting must have one type and range everywhere.
 */
export function mergeSchemas<T extends OptionSchema>(owners: Record<string, OptionSchema>): T {
  const out: Record<string, OptionSpec> = {};
  for (const schema of Object.values(owners)) Object.assign(out, schema);
  for (const name of Object.keys(out)) {
    const specs = Object.entries(owners).filter(([, schema]) => name in schema);
    if (specs.length < 2) continue;
    const shape = (s: OptionSpec) => JSON.stringify([s.type, 'min' in s && s.min, 'max' in s && s.max]);
    if (new Set(specs.map(([, s]) => shape(s[name]!))).size > 1)
      throw new Error(`${flagOf(name)} is declared with different types or ranges by ${specs.map(([o]) => o)}`);
    const help = specs.map(([owner, s]) => {
      const spec = s[name]!,
        text = spec.help.startsWith(`${owner}: `) ? spec.help.slice(owner.length + 2) : spec.help;
      return `${owner}: ${text}${defaultNote(spec)}`;
    });
    const { default: _, ...spec } = out[name]!;
    out[name] = { ...spec, help: help.join('; ') } as OptionSpec;
  }
  return out as T;
}

/** The flag a setting is given by on the command line (`eyeWeight` -> `--eye-weight`). */
export const flagOf = (name: string): string => `--${kebab(name)}`;

const usage = (msg: string) => new FaceganError(ErrorCodes.USAGE, msg);
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Validates one value against its spec; the error reads like every other bad-argument error. */
function convert(
  name: string,
  spec: OptionSpec,
  raw: string,
  // how the message names the setting and shows the value: the flag and its text, or code's name and number
  flag = `--${kebab(name)}`,
  given: unknown = raw,
): string | number {
  if (spec.type === 'int' || spec.type === 'number') {
    const v = Number(raw);
    const integral = spec.type === 'int';
    const lo = spec.min ?? -Infinity,
      hi = spec.max ?? Infinity;
    if (raw.trim() === '' || !Number.isFinite(v) || (integral && !Number.isInteger(v)) || v < lo || v > hi) {
      const range =
        lo > -Infinity && hi < Infinity
          ? ` between ${lo} and ${hi}`
          : lo > -Infinity
            ? ` of at least ${lo}`
            : hi < Infinity
              ? ` of at most ${hi}`
              : '';
      throw usage(
        `Expected ${integral ? 'an integer' : 'a number'}${range} for ${flag} but received ${describe(given)}`,
      );
    }
    return v;
  }
  if (spec.type === 'string' && spec.choices && !spec.choices.includes(raw)) {
    throw usage(`Expected one of ${spec.choices.join(', ')} for ${flag} but received ${describe(given)}`);
  }
  return raw;
}

/** Parses argv against a schema: `--name value`, `--name=value`, `-x value`, `--flag`, `--no-flag`. */
export function parseOptions<S extends OptionSchema>(
  schema: S,
  argv: readonly string[],
): { options: Parsed<S>; positionals: string[] } {
  const byFlag = new Map<string, string>();
  for (const [name, spec] of Object.entries(schema)) {
    byFlag.set(`--${kebab(name)}`, name);
    if (spec.short) byFlag.set(`-${spec.short}`, name);
  }
  const out: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const negated = flag.startsWith('--no-') && byFlag.has(`--${flag.slice(5)}`);
    const name = negated ? byFlag.get(`--${flag.slice(5)}`) : byFlag.get(flag);
    if (!name) {
      const known = [...byFlag.keys()].filter((f) => f.startsWith('--')).join(', ');
      throw usage(`Unknown option ${flag}. Options here: ${known || 'none'}`);
    }
    const spec = schema[name]!;
    if (spec.type === 'boolean') {
      out[name] = !negated;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw usage(`Expected a value after ${flag}`);
    if (spec.type === 'list') {
      const prev = (out[name] as string[] | undefined) ?? [];
      // a list takes the values up to the next option
      const values = [value];
      while (eq < 0 && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) values.push(argv[++i]!);
      out[name] = [...prev, ...values];
    } else {
      out[name] = convert(name, spec, value);
    }
  }
  for (const [name, spec] of Object.entries(schema)) {
    if (out[name] === undefined && spec.default !== undefined && !spec.kept && !spec.fixed) out[name] = spec.default;
    if (out[name] === undefined && 'required' in spec && spec.required)
      throw usage(`Missing --${kebab(name)}: ${spec.help}`);
  }
  return { options: out as Parsed<S>, positionals };
}

/**
 * Checks settings given from code (a stage's options object) against its schema, with the messages the command
 * line gives for the same values: a stage called from a Node project refuses `{ crf: 99 }` as `--crf 99` is
 * refused. Settings the schema does not declare (callbacks, a signal) are not its business and pass.
 */
export function checkGiven(schema: OptionSchema, given: Record<string, unknown>): void {
  for (const [name, spec] of Object.entries(schema)) {
    const v = given[name];
    if (v === undefined) {
      if ('required' in spec && spec.required) throw usage(`Missing ${name} (--${kebab(name)}): ${spec.help}`);
      continue;
    }
    const flag = `${name} (--${kebab(name)})`;
    const wrong = (kind: string) => usage(`Expected ${kind} for ${flag} but received ${describe(v)}`);
    if (spec.type === 'boolean') {
      if (typeof v !== 'boolean') throw wrong('true or false');
    } else if (spec.type === 'list') {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw wrong('a list of strings');
    } else if (spec.type === 'string') {
      if (typeof v !== 'string') throw wrong(spec.choices ? `one of ${spec.choices.join(', ')}` : 'a string');
      convert(name, spec, v, flag);
    } else {
      if (typeof v !== 'number') throw wrong(spec.type === 'int' ? 'an integer' : 'a number');
      convert(name, spec, String(v), flag, v);
    }
  }
}

/** A help text's note of the default (` (default 256)`), or nothing where there is none (or it is false). */
const defaultNote = (spec: OptionSpec): string =>
  spec.default !== undefined && spec.default !== false
    ? ` (default ${Array.isArray(spec.default) ? spec.default.join(' ') : spec.default})`
    : '';

/** Help lines for a schema: flag, value kind, default and help text. */
export function optionsHelp(schema: OptionSchema): string {
  const rows = Object.entries(schema).map(([name, spec]) => {
    const flag =
      `${spec.short ? `-${spec.short}, ` : '    '}--${kebab(name)}` +
      `${
        spec.type === 'boolean' ? '' : ` <${'choices' in spec && spec.choices ? spec.choices.join('|') : spec.type}>`
      }`;
    return [
      flag,
      `${spec.help}${defaultNote(spec)}${'required' in spec && spec.required ? ' (required)' : ''}`,
    ] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length), 10) + 2;
  return rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`).join('\n');
}

/** The options that were given: undefined ones dropped, so that spreading them over defaults keeps the defaults. */
export const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * The schema a stored value of a setting must fit (a model folder's config.json holds resolved settings): numbers in
 * their range, one of the choices, a boolean. Lists may be stored in another form (normalised), so any value passes.
 */
export function valueSchema(spec: OptionSpec): z.ZodType {
  if (spec.type === 'int' || spec.type === 'number') {
    let n = spec.type === 'int' ? z.number().int() : z.number();
    if (spec.min !== undefined) n = n.min(spec.min);
    if (spec.max !== undefined) n = n.max(spec.max);
    return n;
  }
  if (spec.type === 'string') return spec.choices ? z.enum(spec.choices as [string, ...string[]]) : z.string();
  if (spec.type === 'boolean') return z.boolean();
  return z.unknown();
}

/** The schema of stored settings: each known one checked by valueSchema, others kept as they are. */
export const settingsSchema = (schema: OptionSchema) =>
  z.looseObject(Object.fromEntries(Object.entries(schema).map(([k, spec]) => [k, valueSchema(spec).optional()])));
