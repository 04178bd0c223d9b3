/**
 * "Did you mean" hints, shared by every place that names something unknown: catalog lint, version
 * resolution and overlay validation.
 */

/** Edit distance counting a swap of two neighbouring letters as one edit, the commonest typo. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(a.length, b.length);
}
/**
 * Candidates close to `word` (case-insensitive edit distance within a third of its length, or a
 * prefix/substring match), best first; used for every "did you mean" hint.
 */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const limit = Math.max(1, Math.floor(w.length / 3));
  const scored: Array<[string, number]> = [];
  for (const c of new Set(candidates)) {
    const lc = c.toLowerCase();
    const d = editDistance(w, lc);
    if (d <= limit) scored.push([c, d]);
    else if (w.length >= 3 && (lc.includes(w) || w.includes(lc))) scored.push([c, limit + 1]);
  }
  return scored
    .sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))
    .slice(0, max)
    .map(([c]) => c);
}
/** ` (did you mean "a" or "b"?)`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = closest(word, candidates);
  if (near.length === 0) return '';
  return ` (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)`;
}

/** The one closest candidate, or `undefined` when none is close enough to be a typo. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  return closest(word, candidates, 1)[0];
}
