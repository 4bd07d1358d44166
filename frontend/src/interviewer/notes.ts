// Private notes (saved as you type) and scores per question plus an overall recommendation.
import { h } from "../dom";
import type { ControlClient } from "../protocol";
import type { PlanItem, ScoreRow } from "../types";

const RECOMMENDATIONS: [string, string][] = [
  ["", "No decision yet"],
  ["strong_no", "Strong no"],
  ["no", "No"],
  ["yes", "Yes"],
  ["strong_yes", "Strong yes"],
];

export class NotesPanel {
  private textarea: HTMLTextAreaElement;
  private status: HTMLElement;
  private scores: HTMLElement;
  private saveTimer = 0;
  private scoreRows: ScoreRow[] = [];
  private plan: PlanItem[] = [];
  private unsaved = false;

  constructor(
    root: HTMLElement,
    private readonly control: ControlClient,
  ) {
    this.textarea = h("textarea", { id: "notes", rows: 8, placeholder: "Your private notes: nobody else sees them." });
    this.status = h("span", { class: "muted", id: "notes-status", "aria-live": "polite" });
    this.scores = h("div", { class: "scores" });
    root.append(
      h("h3", {}, h("label", { for: "notes" }, "Private notes")),
      this.textarea,
      h("p", { class: "save-line" }, this.status),
      h("h3", {}, "Scores"),
      this.scores,
    );
    this.textarea.addEventListener("input", () => {
      this.unsaved = true;
      this.status.textContent = "Editing…";
      window.clearTimeout(this.saveTimer);
      this.saveTimer = window.setTimeout(() => this.saveNotes(), 700);
    });
    this.textarea.addEventListener("blur", () => this.saveNotes());
    control.on("notes.saved", (f) => {
      const note = f.note as { text?: string; updated_at?: number } | undefined;
      if (note?.text === this.textarea.value) {
        this.unsaved = false;
        this.status.textContent = `Saved ${new Date(note.updated_at ?? Date.now()).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`;
      } else if (note && !this.unsaved && document.activeElement !== this.textarea) {
        this.textarea.value = note.text ?? "";
      }
    });
    control.on("score.saved", (f) => {
      const row = f.score as ScoreRow | undefined;
      if (row) this.remember(row);
    });
    // Notes typed while the connection was down go out as soon as it is back.
    control.onStatus((s) => {
      if (s === "connected" && this.unsaved) this.saveNotes();
    });
  }

  setNotes(notes: string | undefined): void {
    if (!this.unsaved) this.textarea.value = notes ?? "";
  }

  setScores(scores: ScoreRow[] | undefined): void {
    this.scoreRows = scores ?? [];
    this.drawScores();
  }

  setPlan(plan: PlanItem[]): void {
    this.plan = plan;
    this.drawScores();
  }

  private saveNotes(): void {
    window.clearTimeout(this.saveTimer);
    if (!this.unsaved) return;
    if (this.control.send({ type: "notes.save", text: this.textarea.value })) this.status.textContent = "Saving…";
    else this.status.textContent = "Not saved yet: reconnecting…";
  }

  private row(question: number | null): ScoreRow {
    return this.scoreRows.find((r) => (r.question ?? null) === question) ?? { question };
  }

  private remember(row: ScoreRow): void {
    this.scoreRows = [...this.scoreRows.filter((r) => (r.question ?? null) !== (row.question ?? null)), row];
  }

  private drawScores(): void {
    const rows = this.plan.map((item) => {
      const current = this.row(item.id);
      const radios = [1, 2, 3, 4].map((n) =>
        h(
          "label",
          { class: "rating" },
          h("input", {
            type: "radio",
            name: `rating-${item.id}`,
            value: n,
            checked: current.rating === n,
            onchange: () => this.saveScore({ question: item.id, rating: n, comment: current.comment ?? "" }),
          }),
          String(n),
        ),
      );
      return h("fieldset", { class: "score" }, h("legend", {}, item.title), ...radios);
    });
    const overall = this.row(null);
    const select = h(
      "select",
      {
        id: "recommendation",
        onchange: (ev: Event) => {
          const value = (ev.target as HTMLSelectElement).value;
          this.saveScore({ question: null, recommendation: value || null, comment: overall.comment ?? "" });
        },
      },
      ...RECOMMENDATIONS.map(([value, label]) => h("option", { value, selected: (overall.recommendation ?? "") === value }, label)),
    );
    this.scores.replaceChildren(
      ...(rows.length ? rows : [h("p", { class: "muted" }, "Questions appear here once they are in the plan.")]),
      rows.length ? h("p", { class: "muted" }, "1 = strong no … 4 = strong yes") : "",
      h("label", { for: "recommendation", class: "field-label" }, "Overall recommendation"),
      select,
    );
  }

  private saveScore(row: ScoreRow): void {
    this.remember(row);
    if (!this.control.send({ type: "score.save", ...row })) this.status.textContent = "Score not saved: reconnecting…";
  }
}
