// The interviewers' private notes, as the transcript carries them (one text, or one per seat).
import { h } from "../dom";

interface NoteLike {
  seat?: number | null;
  name?: string;
  text?: string;
  updated_at?: string;
}

export function renderNotes(host: HTMLElement, notes: unknown, nameOf: (seat: number | null) => string): void {
  const list: NoteLike[] = typeof notes === "string" ? [{ text: notes }] : Array.isArray(notes) ? (notes as NoteLike[]) : notes && typeof notes === "object" ? [notes as NoteLike] : [];
  const written = list.filter((n) => n.text && n.text.trim());
  if (!written.length) {
    host.replaceChildren(h("p", { class: "empty" }, "No notes were taken."));
    return;
  }
  host.replaceChildren(
    ...written.map((note) =>
      h(
        "article",
        { class: "note" },
        note.seat !== undefined || note.name ? h("h3", {}, note.name ?? nameOf(note.seat ?? null)) : null,
        h("div", { class: "note-text" }, note.text ?? ""),
      ),
    ),
  );
}
