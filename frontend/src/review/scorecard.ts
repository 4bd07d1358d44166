// The scorecard: a 1-4 rating per question against its rubric, and an overall recommendation.
// Saved with PUT; the line under the button says whether it worked.
import { h } from "../dom";
import { RATINGS, rubricLevels, SCALE_NOTE } from "../scale";
import type { RoomApi } from "./api";

export interface ScorecardRating {
  question: number;
  rating: number | null;
  comment: string;
  title?: string;
  rubric?: unknown[];
}

export interface Scorecard {
  ratings: ScorecardRating[];
  recommendation: string | null;
  comment: string;
  /** Some servers send the questions (with rubrics) apart from the ratings. */
  questions?: { id: number; title?: string; rubric?: unknown[] }[];
}

export { RATINGS, rubricLevels, type RubricLevel } from "../scale";

export const RECOMMENDATIONS: [string, string][] = [
  ["strong_no", "Strong no"],
  ["no", "No"],
  ["yes", "Yes"],
  ["strong_yes", "Strong yes"],
];

function rubricLine(entry: unknown): string {
  if (typeof entry === "string") return entry;
  if (entry && typeof entry === "object") {
    const e = entry as Record<string, unknown>;
    return [e.level ?? e.score ?? e.label, e.text ?? e.description ?? e.criterion].filter(Boolean).join(": ");
  }
  return String(entry);
}

/** What the form shows for each question: the plan's questions, with their rubric and rating. */
export function scorecardRows(card: Scorecard, questions: { id: number; title: string }[]): ScorecardRating[] {
  const byId = new Map(card.ratings.map((r) => [r.question, r]));
  const extra = new Map((card.questions ?? []).map((q) => [q.id, q]));
  const ids = [...new Set([...questions.map((q) => q.id), ...card.ratings.map((r) => r.question), ...extra.keys()])];
  const titles = new Map(questions.map((q) => [q.id, q.title]));
  return ids.map((id) => {
    const rating = byId.get(id);
    return {
      question: id,
      rating: rating?.rating ?? null,
      comment: rating?.comment ?? "",
      title: rating?.title ?? extra.get(id)?.title ?? titles.get(id) ?? `Question ${id}`,
      rubric: rating?.rubric ?? extra.get(id)?.rubric ?? [],
    };
  });
}

export function mountScorecard(form: HTMLFormElement, api: RoomApi, card: Scorecard, questions: { id: number; title: string }[]): void {
  const rows = scorecardRows(card, questions);
  const status = h("p", { class: "save-status", role: "status", "aria-live": "polite" });
  const save = h("button", { type: "submit", class: "btn primary" }, "Save scorecard");

  const fieldsets = rows.map((row) => {
    const name = `rating-${row.question}`;
    const levels = rubricLevels(row.rubric);
    const criteria = levels ? [] : (row.rubric ?? []).map(rubricLine).filter(Boolean);
    const radio = (value: number) => h("input", { type: "radio", name, value, checked: row.rating === value });
    // A rubric of levels is the scale itself: pick the level, its description beside it.
    const scale = levels
      ? h(
          "div",
          { class: "rubric-levels", role: "radiogroup", "aria-label": `Rating for ${row.title}` },
          ...levels.map((level) =>
            h(
              "label",
              { class: "level" },
              radio(level.score),
              h("span", { class: "level-name" }, `${level.score} · ${level.label || RATINGS[level.score - 1][1]}`),
              h("span", { class: "level-text" }, level.description),
            ),
          ),
        )
      : h(
          "div",
          { class: "rating-scale", role: "radiogroup", "aria-label": `Rating for ${row.title}` },
          ...RATINGS.map(([value, label]) => h("label", { class: "pill" }, radio(value), h("span", {}, `${value} · ${label}`))),
        );
    return h(
      "fieldset",
      { class: "score-question", "data-question": row.question },
      h("legend", {}, row.title ?? ""),
      criteria.length
        ? h("details", { class: "rubric", open: true }, h("summary", {}, "Rubric"), h("ul", {}, ...criteria.map((line) => h("li", {}, line))))
        : levels
          ? null
          : h("p", { class: "muted small" }, "No rubric for this question."),
      scale,
      h("label", { class: "visually-hidden", for: `comment-${row.question}` }, `Comment on ${row.title}`),
      h("textarea", { id: `comment-${row.question}`, name: `comment-${row.question}`, rows: 2, placeholder: "Evidence for the rating…" }, row.comment),
    );
  });

  const overall = h(
    "fieldset",
    { class: "score-overall" },
    h("legend", {}, "Overall recommendation"),
    h(
      "div",
      { class: "rating-scale recommendation", role: "radiogroup", "aria-label": "Overall recommendation" },
      ...RECOMMENDATIONS.map(([value, label]) =>
        h("label", { class: `pill rec-${value}` }, h("input", { type: "radio", name: "recommendation", value, checked: card.recommendation === value }), h("span", {}, label)),
      ),
    ),
    h("label", { class: "visually-hidden", for: "overall-comment" }, "Overall comment"),
    h("textarea", { id: "overall-comment", name: "overall-comment", rows: 3, placeholder: "Summary for the hiring decision…" }, card.comment ?? ""),
  );

  form.replaceChildren(
    rows.length ? h("p", { class: "muted small" }, `Rate each question against its rubric: ${SCALE_NOTE}.`) : h("p", { class: "muted" }, "No questions were planned."),
    ...fieldsets,
    overall,
    h("div", { class: "save-row" }, save, status),
  );

  const read = () => {
    const data = new FormData(form);
    return {
      ratings: rows.map((row) => {
        const value = data.get(`rating-${row.question}`);
        return { question: row.question, rating: value ? Number(value) : null, comment: String(data.get(`comment-${row.question}`) ?? "") };
      }),
      recommendation: (data.get("recommendation") as string | null) ?? null,
      comment: String(data.get("overall-comment") ?? ""),
    };
  };

  const setStatus = (state: "saving" | "saved" | "failed" | "dirty", text: string) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  form.addEventListener("input", () => setStatus("dirty", "Unsaved changes"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    setStatus("saving", "Saving…");
    try {
      await api.saveScorecard(read());
      setStatus("saved", `Saved at ${new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`);
    } catch (error) {
      setStatus("failed", `Not saved: ${(error as Error).message}`);
    } finally {
      save.disabled = false;
    }
  });
}
