// Private notes (saved as you type) and scores per question plus an overall recommendation.
import { h } from "../dom";
import type { ControlClient } from "../protocol";
import { SCALE_NOTE, scaleFor } from "../scale";
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
  /** Evidence typed and not yet saved, by question: survives a redraw of the panel. */
  private drafts = new Map<number, string>();
  private evidenceTimers = new Map<number, number>();

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
      // Each choice with its name and, beside it, what the rubric says about it.
      const choices = scaleFor(item.rubric).map((level) =>
        h(
          "label",
          { class: "rating", title: level.description || undefined },
          h("input", {
            type: "radio",
            name: `rating-${item.id}`,
            value: level.score,
            checked: current.rating === level.score,
            onchange: () => this.saveScore({ question: item.id, rating: level.score, comment: this.evidence(item.id) }),
          }),
          h("span", { class: "rating-name" }, `${level.score} · ${level.label}`),
          level.description ? h("span", { class: "rating-text" }, level.description) : null,
        ),
      );
      const evidence = h("textarea", {
        id: `evidence-${item.id}`,
        class: "evidence",
        rows: 2,
        maxlength: 10000,
        placeholder: "What did you see? Evidence for the rating…",
      });
      evidence.value = this.evidence(item.id);
      evidence.addEventListener("input", () => {
        this.drafts.set(item.id, evidence.value);
        window.clearTimeout(this.evidenceTimers.get(item.id));
        this.evidenceTimers.set(item.id, window.setTimeout(() => this.saveEvidence(item.id), 700));
      });
      evidence.addEventListener("blur", () => this.saveEvidence(item.id));
      return h(
        "fieldset",
        { class: "score", "data-question": item.id },
        h("legend", {}, item.title),
        h("div", { class: "rating-choices" }, ...choices),
        h("label", { class: "field-label", for: `evidence-${item.id}` }, `Evidence for ${item.title}`),
        evidence,
      );
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
      rows.length ? h("p", { class: "muted" }, SCALE_NOTE) : "",
      h("label", { for: "recommendation", class: "field-label" }, "Overall recommendation"),
      select,
    );
  }

  private evidence(question: number): string {
    return this.drafts.get(question) ?? this.row(question).comment ?? "";
  }

  private saveEvidence(question: number): void {
    window.clearTimeout(this.evidenceTimers.get(question));
    const draft = this.drafts.get(question);
    if (draft === undefined) return;
    const current = this.row(question);
    if (draft === (current.comment ?? "")) return void this.drafts.delete(question);
    this.saveScore({ question, rating: current.rating ?? null, comment: draft });
    this.status.textContent = "Evidence saved";
  }

  private saveScore(row: ScoreRow): void {
    if (row.question !== null && row.question !== undefined && row.comment === this.drafts.get(row.question)) this.drafts.delete(row.question);
    this.remember(row);
    if (!this.control.send({ type: "score.save", ...row })) this.status.textContent = "Score not saved: reconnecting…";
  }
}
