// A coding question's test case, as the bank stores it: `{name, code}` (a Python snippet of
// asserts). Older or hand-made data may hold plain strings; show those as code.
import { h } from "./dom";

export interface TestCase {
  name: string;
  code: string;
}

export function asTestCase(test: unknown): TestCase {
  if (typeof test === "string") return { name: "", code: test };
  if (test && typeof test === "object") {
    const o = test as Record<string, unknown>;
    if (typeof o.code === "string") return { name: typeof o.name === "string" ? o.name : "", code: o.code };
  }
  return { name: "", code: JSON.stringify(test) };
}

export function renderTestCases(tests: unknown[]): HTMLElement {
  return h(
    "ul",
    { class: "tests" },
    ...tests.map((test) => {
      const { name, code } = asTestCase(test);
      return h("li", {}, name ? h("span", { class: "test-name" }, name) : null, h("pre", {}, h("code", {}, code.trimEnd())));
    }),
  );
}
