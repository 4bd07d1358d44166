// One colour per participant, stable across screens: picked from the seat id.
// The palette reads on both light and dark backgrounds.
const PALETTE = ["#d9480f", "#1971c2", "#2f9e44", "#ae3ec9", "#e8590c", "#0c8599", "#c2255c", "#5f3dc4"];

export function colorFor(key: string | number): { color: string; colorLight: string } {
  const text = String(key);
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  const color = PALETTE[hash % PALETTE.length];
  return { color, colorLight: `${color}33` };
}
