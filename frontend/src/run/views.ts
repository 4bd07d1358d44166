// The pieces of a run's result as elements: the tests list, the query's table or plan, the
// output. Used by the room's console and the review's timeline alike.
import { h } from "../dom";
import type { RunTable, TestRow } from "./result";

export function testsList(results: TestRow[]): HTMLElement {
  return h(
    "ul",
    { class: "run-tests" },
    ...results.map((t) =>
      h(
        "li",
        { class: `run-test ${t.ok ? "pass" : "fail"}`, "data-test": t.name },
        h("span", { class: "run-test-mark" }, t.ok ? "✓ pass" : "✗ fail"),
        " ",
        h("span", { class: "run-test-name" }, t.name),
        !t.ok && t.message ? h("pre", { class: "run-test-message" }, t.message) : null,
      ),
    ),
  );
}

export function tableView(table: RunTable): HTMLElement {
  if (table.plan !== undefined) return h("pre", { class: "run-plan", "aria-label": "Query plan" }, table.plan);
  const columns = table.columns ?? [];
  const rows = table.rows ?? [];
  const grid = h(
    "table",
    { class: "run-table" },
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((v) => h("td", { class: v === null ? "null" : "" }, v === null ? "NULL" : v))))),
  );
  const count = table.row_count ?? rows.length;
  const note = `${count} row${count === 1 ? "" : "s"}${table.truncated ? `, first ${rows.length} shown` : ""}`;
  return h("div", { class: "run-table-wrap" }, columns.length ? grid : null, h("p", { class: "muted run-table-note" }, table.command && !columns.length ? table.command : note));
}

export function outputView(stdout: string, stderr: string): HTMLElement {
  return h(
    "pre",
    { class: "run-output" },
    stdout ? h("span", { class: "stdout" }, stdout) : null,
    stderr ? h("span", { class: "stderr" }, stderr) : null,
  );
}
