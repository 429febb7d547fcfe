/**
 * Resolving a run's settings from one schema: the defaults (the family's where it has its own), then the folder's
 * stored config, then what was given. A `fixed` setting keeps the folder's first value and refuses another; a
 * `kept` one keeps its last value unless given again. Pure: no I/O.
 */
import { ErrorCodes, FaceganError } from '../../core/errors.js';
import { defined, flagOf, schemaDefaults, type OptionSchema } from '../../core/options.js';
import { CORE_SCHEMA } from './settings.js';
import type { Family } from './family.js';

/** The schema a family trains with: the core's settings and its own. */
export const familySchema = (family: Pick<Family, 'schema'>): OptionSchema => ({ ...CORE_SCHEMA, ...family.schema });

/** Which settings the folder fixes, from the schema. */
export const fixedKeys = (schema: OptionSchema): string[] => Object.keys(schema).filter((k) => schema[k]!.fixed);

/** Refuses settings that another family's schema declares but this one does not (`--gan` for a CycleGAN). */
export function checkApplicable(
  given: Record<string, unknown>,
  family: Family,
  model: string,
  known: OptionSchema,
): void {
  const schema = familySchema(family);
  const foreign = Object.keys(defined(given)).filter((k) => k in known && !(k in schema));
  if (foreign.length) {
    throw new FaceganError(
      ErrorCodes.USAGE,
      `${foreign.map(flagOf).join(', ')} do${foreign.length > 1 ? '' : 'es'} not apply to ${model} models; ` +
        `leave ${foreign.length > 1 ? 'them' : 'it'} out.`,
    );
  }
}

/**
 * The settings of a run (before the family adds what it derives from the data). `given` is normalised by the
 * family first (so a loss list compares with the stored terms).
 */
export function resolveSettings(
  family: Family,
  given: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const schema = familySchema(family);
  const norm = (o: Record<string, unknown>) => (family.normalize ? family.normalize(o) : o);
  const g = norm(defined(given) as Record<string, unknown>);
  const fixed = fixedKeys(schema);
  if (stored) {
    for (const key of fixed) {
      if (g[key] !== undefined && JSON.stringify(g[key]) !== JSON.stringify(stored[key])) {
        throw new FaceganError(
          ErrorCodes.BAD_MODEL,
          `This model folder was made with ${flagOf(key)} ${JSON.stringify(stored[key])}; ` +
            `it cannot change to ${JSON.stringify(g[key])}. Leave it out to resume, or train into a new folder.`,
        );
      }
    }
  }
  const base = { ...schemaDefaults(schema), ...family.defaults };
  const model = String(g.model ?? stored?.model ?? base.model);
  const defaults = norm({ ...base, ...family.modelDefaults?.(model) });
  const settings = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k in schema));
  const resolved = { ...defaults, ...settings(stored ?? {}), ...settings(g) };
  if (stored) for (const key of fixed) resolved[key] = stored[key] ?? defaults[key];
  return resolved;
}

/** What to do when faces were extracted at another coverage than the model's (a derived setting's advice). */
export const COVERAGE_ADVICE =
  'These faces were extracted with --coverage {given}; the model was trained on {stored}. ' +
  'Extract them again with --coverage {stored}.';

/** Refuses data whose derived settings differ from those the folder was trained on (a fixed derived setting). */
export function checkDerived(
  derived: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
  advice: Record<string, string>,
): void {
  if (!stored) return;
  for (const [key, value] of Object.entries(derived)) {
    if (key in advice && stored[key] !== undefined && JSON.stringify(stored[key]) !== JSON.stringify(value)) {
      throw new FaceganError(
        ErrorCodes.BAD_MODEL,
        advice[key]!.replaceAll('{given}', String(value)).replaceAll('{stored}', String(stored[key])),
      );
    }
  }
}
