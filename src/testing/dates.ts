/**
 * How the server recognises dates and times in what it receives: ActiveSupport's `DATE_REGEX` and
 * `DATETIME_REGEX`, used both by `ActiveSupport.parse_json_times` on JSON bodies (primero-api.md 2.1, 2.6)
 * and by `DestringifyService` on list filters (2.4). A string either becomes a Date, a Time (in the
 * server's zone, UTC), or stays a string when Ruby's parser refuses it.
 *
 * @module
 */

/** A string read as a `Date` (`iso` is `YYYY-MM-DD`) or a `Time` (`ms` since the epoch, `iso` as Rails renders it). */
export type ServerTime = { kind: 'date'; iso: string; ms: number } | { kind: 'time'; iso: string; ms: number };

// ActiveSupport::JSON::DATE_REGEX and DATETIME_REGEX (whole string: `\A...\z`).
const DATE_REGEX = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_REGEX = /^(\d{4})-(\d{1,2})-(\d{1,2})[T \t]+(\d{1,2}):(\d{2}):(\d{2})(\.[0-9]*)?(?:[ \t]*(Z)|([-+])(\d{2})(?::(\d{2}))?)?$/;

/** The Date or Time the server makes of `value`, or undefined when it stays a string. */
export function readServerTime(value: string): ServerTime | undefined {
  const date = DATE_REGEX.exec(value);
  if (date) {
    // Date.parse refuses a day that does not exist (2024-02-30): the value then stays a string.
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const ms = utc(year, month, day, 0, 0, 0, 0);
    const check = new Date(ms);
    if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
    return { kind: 'date', iso: value, ms };
  }
  const time = DATETIME_REGEX.exec(value);
  if (!time) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(time[i])) as [number, number, number, number, number, number];
  // Time.zone.parse raises on an impossible field (the value stays a string) but rolls a day 29-31 over, as Ruby's Time.utc does.
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number((time[7] ?? '.').slice(1, 4).padEnd(3, '0'));
  let ms = utc(year, month, day, hour, minute, second, millis);
  if (time[9]) {
    // A numeric offset: local time minus the offset is UTC. No zone at all means the server's zone (UTC).
    const offset = (Number(time[10]) * 60 + Number(time[11] ?? 0)) * 60_000;
    ms -= time[9] === '+' ? offset : -offset;
  }
  if (Number.isNaN(ms)) return undefined;
  // Rails renders a time as ISO-8601 in UTC with milliseconds (primero-api.md 2.6).
  return { kind: 'time', iso: new Date(ms).toISOString(), ms };
}

function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(0);
  // Not Date.UTC, which maps the years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** Whether a string has the shape of a date or a time, parseable or not (then it stays a string, and no other rule applies). */
export function hasServerTimeShape(value: string): boolean {
  return DATE_REGEX.test(value) || DATETIME_REGEX.test(value);
}

/** Today's date on the server, `YYYY-MM-DD` (Date.today, UTC). */
export function serverToday(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}
