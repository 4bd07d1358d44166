// The one rating scale: the room's score panel, the review's scorecard and the bank's rubrics
// all say 1 Weak … 4 Excellent. A rubric written as levels gives each choice its own words.

/** The bank's rubric levels; the scale's names when a rubric has none of its own. */
export const RATINGS: [number, string][] = [
  [1, "Weak"],
  [2, "Mixed"],
  [3, "Solid"],
  [4, "Excellent"],
];

export const SCALE_NOTE = "1 Weak · 2 Mixed · 3 Solid · 4 Excellent";

export interface RubricLevel {
  score: number;
  label: string;
  description: string;
}

/** A rubric written as levels 1-4 ({score, label, description}), or null for a list of criteria. */
export function rubricLevels(rubric: unknown[] | undefined): RubricLevel[] | null {
  if (!rubric?.length) return null;
  const levels = rubric.map((entry) => {
    const e = (entry && typeof entry === "object" ? entry : {}) as Record<string, unknown>;
    const score = Number(e.score ?? e.level);
    return { score, label: String(e.label ?? ""), description: String(e.description ?? e.text ?? "") };
  });
  if (!levels.every((l) => Number.isInteger(l.score) && l.score >= 1 && l.score <= 4)) return null;
  return levels.sort((a, b) => a.score - b.score);
}

/** Each choice of the scale for this rubric: its number, its name, the rubric's words for it. */
export function scaleFor(rubric: unknown[] | undefined): RubricLevel[] {
  const levels = rubricLevels(rubric) ?? [];
  return RATINGS.map(([score, name]) => {
    const level = levels.find((l) => l.score === score);
    return { score, label: level?.label || name, description: level?.description ?? "" };
  });
}
