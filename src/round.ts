/**
 * The one rounding helper for reported figures (latencies, shares, timestamps): `places` decimal
 * places, half away from zero for positives as Math.round does. A missing figure (null) stays null.
 */
export function roundTo(n: number, places: number): number;
export function roundTo(n: number | null, places: number): number | null;
export function roundTo(n: number | null, places: number): number | null {
  if (n === null) return null;
  const scale = 10 ** places;
  return Math.round(n * scale) / scale;
}
