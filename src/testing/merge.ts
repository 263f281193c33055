/**
 * How a PATCH (and a create) lands in a record's data: `RecordMergeDataHashService.merge_data`
 * (primero-api.md 4.4), then `Record#populate_subform_ids` before the save.
 *
 * @module
 */

import { isObject } from './values.js';

type Json = unknown;
type JsonObject = Record<string, unknown>;

/**
 * Merges `incoming` into `current`, as the server does: objects key by key; arrays of objects (subforms)
 * by `unique_id`, entries with a new or missing `unique_id` appended, entries not mentioned kept, and
 * entries flagged `_destroy` dropped; anything else (scalars, scalar arrays, `null`) replaced. An empty
 * incoming array is an array of objects too, so it keeps the old entries. Neither input is modified.
 */
export function mergeData(current: Json, incoming: Json): Json {
  if (isObject(current) && isObject(incoming)) return mergeObjects(current, incoming);
  if (isArrayOfObjects(current) && isArrayOfObjects(incoming)) {
    // Ruby truthiness: any `_destroy` other than null/false removes the entry.
    return mergeArraysOfObjects(current, incoming).filter((entry) => entry._destroy === undefined || entry._destroy === null || entry._destroy === false);
  }
  return copy(incoming);
}

function mergeObjects(current: JsonObject, incoming: JsonObject): JsonObject {
  // Hash#merge with a block: the block only runs for keys on both sides; a new key takes the value as sent
  // (so a subform that did not exist yet keeps even its `_destroy` entries, as on the server).
  const merged: JsonObject = copy(current) as JsonObject;
  for (const [key, value] of Object.entries(incoming)) merged[key] = key in current ? mergeData(current[key], value) : copy(value);
  return merged;
}

function mergeArraysOfObjects(current: JsonObject[], incoming: JsonObject[]): JsonObject[] {
  // An old entry without a unique_id is kept as it was; one whose unique_id is mentioned is merged.
  const kept = current.map((old) => {
    if (old.unique_id === undefined || old.unique_id === null || old.unique_id === false) return copy(old) as JsonObject;
    const update = incoming.find((entry) => entry.unique_id === old.unique_id);
    return update ? (mergeData(old, update) as JsonObject) : (copy(old) as JsonObject);
  });
  // Compared with `==` in Ruby: an incoming entry without unique_id matches a kept entry without one.
  const appended = incoming.filter((entry) => !kept.some((old) => (old.unique_id ?? null) === (entry.unique_id ?? null)));
  return [...kept, ...(copy(appended) as JsonObject[])];
}

/**
 * Gives every entry of a subform (a top-level array whose first item is an object) a `unique_id` when it
 * has none (`populate_subform_ids`, before every save). Mutates `data`.
 */
export function populateSubformIds(data: JsonObject, uuid: () => string): void {
  for (const value of Object.values(data)) {
    if (!Array.isArray(value) || !isObject(value[0])) continue;
    for (const entry of value) {
      // `subform['unique_id'].present?`: an empty string gets an id too.
      if (isObject(entry) && (entry.unique_id === undefined || entry.unique_id === null || entry.unique_id === '')) entry.unique_id = uuid();
    }
  }
}

// `value.is_a?(Array) && (value.blank? || value.first.is_a?(Hash))`: only the first item is looked at.
function isArrayOfObjects(value: unknown): value is JsonObject[] {
  return Array.isArray(value) && (value.length === 0 || isObject(value[0]));
}

function copy<T>(value: T): T {
  return value === undefined ? value : (structuredClone(value) as T);
}
