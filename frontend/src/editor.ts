// CodeMirror bound to the Y.Text of the question on display; remote cursors via awareness.
import { basicSetup } from "codemirror";
import { Compartment, EditorState, Prec, type Extension } from "@codemirror/state";
import { EditorView, keymap, placeholder } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { sql } from "@codemirror/lang-sql";
import { javascript } from "@codemirror/lang-javascript";
import { oneDark } from "@codemirror/theme-one-dark";
import { yCollab } from "y-codemirror.next";
import * as Y from "yjs";
import type { Awareness } from "y-protocols/awareness";
import { insertNewlineKeepingText } from "./newline";

export function languageExtension(language: string): Extension {
  switch (language.toLowerCase()) {
    case "python":
    case "py":
      return python();
    case "sql":
    case "postgresql":
      return sql();
    case "javascript":
    case "js":
      return javascript();
    case "typescript":
    case "ts":
      return javascript({ typescript: true });
    default:
      return [];
  }
}

const darkQuery = typeof window !== "undefined" ? window.matchMedia("(prefers-color-scheme: dark)") : null;

export class SharedEditor {
  readonly view: EditorView;
  private theme = new Compartment();
  private lock = new Compartment();
  private textName: string | null = null;
  private frozen = false;

  constructor(
    parent: HTMLElement,
    private readonly doc: Y.Doc,
    private readonly awareness: Awareness,
    private readonly readOnly: boolean,
  ) {
    this.view = new EditorView({ parent, state: this.stateFor(null, "text") });
    darkQuery?.addEventListener("change", () =>
      this.view.dispatch({ effects: this.theme.reconfigure(this.themeExtension()) }),
    );
  }

  /** Shows the Y.Text named `textName` (the question's `text`), or an empty read-only pad. */
  bind(textName: string | null, language: string): void {
    if (textName === this.textName && textName !== null) return;
    this.textName = textName;
    this.view.setState(this.stateFor(textName, language));
  }

  /** Keeps the code on screen but takes no more typing (the room has ended). */
  freeze(): void {
    this.frozen = true;
    this.view.dispatch({ effects: this.lock.reconfigure(EditorState.readOnly.of(true)) });
  }

  get boundText(): string | null {
    return this.textName;
  }

  private themeExtension(): Extension {
    return darkQuery?.matches ? oneDark : [];
  }

  private stateFor(textName: string | null, language: string): EditorState {
    const base: Extension[] = [
      basicSetup,
      keymap.of([indentWithTab]),
      Prec.high(keymap.of([{ key: "Enter", run: insertNewlineKeepingText }])),
      languageExtension(language),
      this.theme.of(this.themeExtension()),
      EditorView.contentAttributes.of({ "aria-label": "Code editor" }),
    ];
    if (textName === null) {
      const waiting = placeholder("The shared code appears here when a question is on display.");
      return EditorState.create({ doc: "", extensions: [...base, waiting, EditorState.readOnly.of(true)] });
    }
    const ytext = this.doc.getText(textName);
    const locked = this.readOnly || this.frozen;
    const extensions = [
      ...base,
      yCollab(ytext, this.awareness, { undoManager: new Y.UndoManager(ytext) }),
      this.lock.of(locked ? EditorState.readOnly.of(true) : []),
    ];
    return EditorState.create({ doc: ytext.toString(), extensions });
  }
}
