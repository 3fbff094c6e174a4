// One colour per label, stable across pages and sessions: the hue comes from the label's
// name, so a label keeps its colour in the gallery, the asset view and the charts.

export function labelColor(name) {
  let hash = 2166136261;
  for (const char of String(name)) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  // The golden angle spreads consecutive hashes around the wheel.
  const hue = Math.round((hash % 360) * 137.508) % 360;
  return `hsl(${hue}, 85%, 55%)`;
}
