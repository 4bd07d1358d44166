import { describe, expect, it } from "vitest";
import { EditorSelection, EditorState, type Transaction } from "@codemirror/state";
import { python } from "@codemirror/lang-python";
import { insertNewlineKeepingText } from "./newline";

function enter(doc: string, cursor: number, anchor = cursor): EditorState {
  let state = EditorState.create({
    doc,
    selection: EditorSelection.single(anchor, cursor),
    extensions: [python()],
  });
  insertNewlineKeepingText({ state, dispatch: (tr: Transaction) => (state = tr.state) });
  return state;
}

describe("Enter in the shared editor", () => {
  it("keeps the whitespace after the cursor (another typist's space)", () => {
    const state = enter("seen = {} ", 9);
    expect(state.doc.toString()).toBe("seen = {}\n ");
    expect(state.selection.main.head).toBe(10);
  });

  it("keeps a blank line's indentation", () => {
    expect(enter("def f():\n    ", 13).doc.toString()).toBe("def f():\n    \n  ");
  });

  it("indents after a block opener", () => {
    const state = enter("def f():", 8);
    expect(state.doc.toString()).toBe("def f():\n  ");
    expect(state.selection.main.head).toBe(11);
  });

  it("opens a bracket pair onto its own lines", () => {
    const state = enter("x = {}", 5);
    expect(state.doc.toString()).toBe("x = {\n  \n}");
    expect(state.selection.main.head).toBe(8);
  });

  it("replaces a selection", () => {
    expect(enter("a bc", 3, 1).doc.toString()).toBe("a\nc");
  });
});
