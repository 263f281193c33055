/**
 * The numeric limits of options, checked the same way for the client's options and each call's.
 *
 * @module
 */

/** @internal Timers take at most 2^31 - 1 ms; a larger delay fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** @internal A whole number from `min` to {@link MAX_TIMER_MS}: what a timeout, a delay or a retry count may be. */
export function isWholeInRange(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_TIMER_MS;
}
