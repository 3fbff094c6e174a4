// One colour per label, the same in the gallery, the asset view and the charts. The labels
// of the version shown get the palette's colours in name order (distinct for the first
// twelve); a name outside that list gets a hue from its hash.

const PALETTE = [
  "#e6194b",
  "#3cb44b",
  "#4363d8",
  "#f58231",
  "#911eb4",
  "#42d4f4",
  "#f032e6",
  "#bfef45",
  "#fabed4",
  "#469990",
  "#ffe119",
  "#9a6324",
];

const assigned = new Map();

/** Give the labels named `names` their colours (call when a version's labels are known). */
export function assignColors(names) {
  assigned.clear();
  [...new Set(names)].sort().forEach((name, index) => {
    if (index < PALETTE.length) assigned.set(name, PALETTE[index]);
  });
}

export function labelColor(name) {
  const known = assigned.get(name);
  if (known) return known;
  let hash = 2166136261;
  for (const char of String(name)) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return `hsl(${hash % 360}, 80%, 55%)`;
}
