// A read-only CodeMirror showing one question's code at the chosen instant, each run of
// characters tinted with the colour of the participant who typed it.
import { basicSetup } from "codemirror";
import { Compartment, EditorState, StateEffect, StateField, type Extension } from "@codemirror/state";
import { Decoration, EditorView, type DecorationSet } from "@codemirror/view";
import { oneDark } from "@codemirror/theme-one-dark";
import { languageExtension } from "../editor";
import { minimalChange } from "./diff";
import { authorColor } from "./people";
import type { AuthorSpan } from "./replay";

const setAuthors = StateEffect.define<DecorationSet>();

const authorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setAuthors)) return effect.value;
    return value.map(tr.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});

const marks = new Map<string, Decoration>();
function markFor(seat: number | null, name: string): Decoration {
  const key = `${seat}:${name}`;
  let mark = marks.get(key);
  if (!mark) {
    const { colorLight, color } = authorColor(seat);
    mark = Decoration.mark({
      class: "cm-author",
      attributes: { style: `background-color: ${colorLight}; box-shadow: inset 0 -2px ${color}`, title: seat === null ? name : `Typed by ${name}` },
    });
    marks.set(key, mark);
  }
  return mark;
}

const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");

export class CodeView {
  readonly view: EditorView;
  private theme = new Compartment();
  private language = new Compartment();
  private languageName = "";

  constructor(parent: HTMLElement) {
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: "",
        extensions: [
          basicSetup,
          EditorState.readOnly.of(true),
          this.language.of([]),
          this.theme.of(this.themeExtension()),
          authorField,
          EditorView.contentAttributes.of({ "aria-label": "Code at the selected instant (read-only)" }),
        ],
      }),
    });
    darkQuery.addEventListener("change", () => this.view.dispatch({ effects: this.theme.reconfigure(this.themeExtension()) }));
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  /** Show `code`, changing only what differs (so the view does not jump), scrolled to the change if `follow`. */
  show(code: string, language: string, spans: AuthorSpan[] | null, nameOf: (seat: number | null) => string, follow: boolean): void {
    const effects: StateEffect<unknown>[] = [];
    if (language !== this.languageName) {
      this.languageName = language;
      effects.push(this.language.reconfigure(languageExtension(language)));
    }
    const change = minimalChange(this.text, code);
    const decorations = spans
      ? Decoration.set(spans.filter((s) => s.to > s.from && s.to <= code.length).map((s) => markFor(s.seat, nameOf(s.seat)).range(s.from, s.to)))
      : Decoration.none;
    effects.push(setAuthors.of(decorations));
    if (change && follow) effects.push(EditorView.scrollIntoView(Math.min(change.from + change.insert.length, code.length), { y: "nearest" }));
    this.view.dispatch({ changes: change ?? undefined, effects });
  }

  private themeExtension(): Extension {
    return darkQuery.matches ? oneDark : [];
  }
}
