/**
 * The categories of the dashboard and their labels, read from the deployment itself: the case form fields
 * name their option lists (`option_strings_text`, or `option_strings_source: "lookup lookup-..."`), and the
 * location tree gives the admin level cases are grouped at. Nothing is hard-coded, so a deployment's own
 * options and translations appear as its users know them.
 *
 * @module
 */
import type { FormField, FormSection, Location, Lookup, PrimeroClient } from 'primero-sdk';
import { describeError } from '../support/errors.js';

/** One category of a breakdown: its code and the label shown. */
export interface Category {
  key: string;
  label: string;
}

/** The categories the indicators are broken down by. */
export interface Catalog {
  /** Options of the `sex` field, in the form's order. */
  sexes: readonly Category[];
  /** Options of `protection_concerns`. */
  concerns: readonly Category[];
  /** Options of the services' `service_type`. */
  serviceTypes: readonly Category[];
  /** The locations at the dashboard's admin level, by code. */
  locations: readonly Category[];
  /** The bucket of a case's `location_current`: its ancestor at the dashboard's level (or itself). */
  locationBucket(code: string): Category;
}

/** How to build the catalog. */
export interface CatalogOptions {
  /** Label language; English is the fallback, then the code. */
  locale: string;
  /** Admin level cases are grouped at (0 is the country, 1 provinces or regions...). */
  locationLevel: number;
}

/** What the server provided (any part may be missing: a role without access to forms, say). */
export interface CatalogSources {
  forms: readonly FormSection[];
  lookups: readonly Lookup[];
  locations: readonly Location[];
}

/**
 * Reads the forms, lookups and locations. A source the API user may not read is left empty, with a warning,
 * and the dashboard falls back to codes for it: labels are a convenience, not a reason to fail the run.
 */
export async function fetchCatalog(client: PrimeroClient, options: CatalogOptions): Promise<{ catalog: Catalog; warnings: string[] }> {
  const warnings: string[] = [];
  const attempt = async <T>(what: string, read: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await read();
    } catch (error) {
      // SDK errors name the status and path, never record data; anything else is named by its class only.
      warnings.push(`${what} could not be read (${describeError(error)}): codes are shown instead of labels`);
      return [];
    }
  };
  const [forms, lookups, locations] = await Promise.all([
    attempt('Forms', () => client.forms.list({ record_type: 'case' })),
    attempt('Lookups', () => client.lookups.list({ per: 1000 }).collect({ max: 100_000 })),
    attempt('Locations', () => client.locations.list({ hierarchy: true, per: 1000 }).collect({ max: 1_000_000 })),
  ]);
  return { catalog: buildCatalog({ forms, lookups, locations }, options), warnings };
}

/** Builds the catalog from what the server provided. Pure. */
export function buildCatalog(sources: CatalogSources, options: CatalogOptions): Catalog {
  const { locale, locationLevel } = options;
  const localized = (text: Record<string, string | null> | undefined, fallback: string): string => text?.[locale] || text?.en || fallback;
  const lookups = new Map(sources.lookups.map((lookup) => [lookup.unique_id, lookup]));
  const fields = new Map<string, FormField>();
  // Subform fields (service_type) are in the nested forms, which the list includes.
  for (const form of sources.forms) for (const field of form.fields) if (!fields.has(field.name)) fields.set(field.name, field);

  const optionsOf = (name: string): Category[] => {
    const field = fields.get(name);
    if (!field) return [];
    if (field.option_strings_text?.length) return field.option_strings_text.map((o) => ({ key: o.id, label: localized(o.display_text, o.id) }));
    const lookupId = /^lookup\s+(\S+)$/.exec(field.option_strings_source ?? '')?.[1];
    const lookup = lookupId === undefined ? undefined : lookups.get(lookupId);
    return lookup ? lookup.values.map((v) => ({ key: v.id, label: localized(v.display_text, v.id) })) : [];
  };

  const byCode = new Map(sources.locations.map((location) => [location.code, location]));
  const locationCategory = (location: Location): Category => ({
    key: location.code,
    // `placename` is the location's own name; `name` is the whole path ("Country::Province::District").
    label: localized(location.placename, localized(location.name, location.code).split('::').at(-1) ?? location.code),
  });
  const atLevel = sources.locations.filter((l) => l.admin_level === locationLevel && l.disabled !== true).sort((a, b) => a.code.localeCompare(b.code));

  return {
    sexes: optionsOf('sex'),
    concerns: optionsOf('protection_concerns'),
    serviceTypes: optionsOf('service_type'),
    locations: atLevel.map(locationCategory),
    locationBucket(code) {
      const location = byCode.get(code);
      // A code the tree does not know (removed, or the list was unreadable) is its own bucket.
      if (!location) return { key: code, label: code };
      if (typeof location.admin_level !== 'number' || location.admin_level <= locationLevel) return locationCategory(location);
      const ancestor = (location.hierarchy ?? []).map((c) => byCode.get(c)).find((l) => l?.admin_level === locationLevel);
      return locationCategory(ancestor ?? location);
    },
  };
}
