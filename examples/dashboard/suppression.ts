/**
 * Small-cell suppression: a published count of 1 to 4 children (with the default threshold of 5) can point
 * at a child in a small place, so it is shown as "<5"; and where the hidden cell could be worked out from a
 * total (a total minus the other cells of a breakdown), a second cell is hidden too ("x").
 *
 * The second step is the usual simple heuristic, not a full audit: every published equation
 * `total = part + part + ...` must have no hidden member or at least two. Where exactly one is hidden, the
 * smallest visible non-zero part is hidden with it, and the check repeats until nothing changes (hiding a
 * cell in one breakdown can expose another breakdown that shares it).
 *
 * Pure: no I/O.
 * @module
 */

/** One published number: its value, or null when hidden, and the text a reader sees. */
export interface Cell {
  /** The count, or null when suppressed. */
  value: number | null;
  /** What the page shows: the count, `<5` (a small count) or `x` (hidden to protect a small count elsewhere). */
  display: string;
  /** Why the value is hidden: `small` (below the threshold) or `complementary` (derivable from a total). */
  suppressed?: 'small' | 'complementary';
}

/** A published equation: the cell `total` is the sum of the cells `parts`. */
export interface Group {
  total: string;
  parts: readonly string[];
}

/** The text shown for a complementary-suppressed cell. */
export const COMPLEMENTARY_MARK = 'x';

/**
 * Suppresses the counts. `minCell` is the threshold: counts from 1 to `minCell - 1` are hidden; 0 is shown
 * (an absence discloses no one); `minCell` of 1 or less turns suppression off.
 *
 * @param counts every cell to publish, by id
 * @param groups the equations between cells that a reader could use to recover a hidden cell
 */
export function suppress(counts: ReadonlyMap<string, number>, groups: readonly Group[], minCell: number): Map<string, Cell> {
  const hidden = new Map<string, 'small' | 'complementary'>();
  for (const [id, value] of counts) if (value > 0 && value < minCell) hidden.set(id, 'small');

  const value = (id: string): number => {
    const count = counts.get(id);
    if (count === undefined) throw new Error(`suppression group refers to an unknown cell: ${id}`);
    return count;
  };
  for (let changed = hidden.size > 0; changed; ) {
    changed = false;
    for (const group of groups) {
      const members = [group.total, ...group.parts];
      if (members.filter((id) => hidden.has(id)).length !== 1) continue;
      // The smallest visible non-zero part loses least information; a zero part, or the total, only if none.
      const visible = group.parts.filter((id) => !hidden.has(id));
      const nonZero = visible.filter((id) => value(id) > 0).sort((a, b) => value(a) - value(b));
      const pick = nonZero[0] ?? visible[0] ?? group.total;
      if (hidden.has(pick)) continue; // a group without parts: nothing to pair the hidden total with
      hidden.set(pick, 'complementary');
      changed = true;
    }
  }

  const cells = new Map<string, Cell>();
  for (const [id, count] of counts) {
    const reason = hidden.get(id);
    cells.set(id, reason === undefined ? { value: count, display: String(count) } : { value: null, display: reason === 'small' ? `<${minCell}` : COMPLEMENTARY_MARK, suppressed: reason });
  }
  return cells;
}
