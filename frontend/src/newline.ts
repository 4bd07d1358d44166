// Enter in a shared editor only inserts. CodeMirror's own Enter also deletes the whitespace
// after the cursor (and a blank line's indentation); with two typists that whitespace may be
// a space the other person just typed, which the cursor sits before because text arriving
// at it goes after it. Deleting it would lose their keystroke.
import { EditorSelection, type StateCommand } from "@codemirror/state";
import { getIndentation, IndentContext, indentString } from "@codemirror/language";

const BRACKET_PAIR = /^(\(\)|\[\]|\{\})$/;

export const insertNewlineKeepingText: StateCommand = ({ state, dispatch }) => {
  if (state.readOnly) return false;
  const changes = state.changeByRange((range) => {
    const { from, to } = range; // a selection is replaced: the typist chose to
    const line = state.doc.lineAt(from);
    const explode = from === to && BRACKET_PAIR.test(state.sliceDoc(from - 1, from + 1));
    const cx = new IndentContext(state, { simulateBreak: from, simulateDoubleBreak: explode });
    const indent = getIndentation(cx, from) ?? /^\s*/.exec(line.text)![0].length;
    const insert = "\n" + indentString(state, indent);
    const closing = explode ? "\n" + indentString(state, cx.lineIndent(line.from, -1)) : "";
    return {
      changes: { from, to, insert: insert + closing },
      range: EditorSelection.cursor(from + insert.length),
    };
  });
  dispatch(state.update(changes, { scrollIntoView: true, userEvent: "input" }));
  return true;
};
