import { describe, expect, it } from "vitest";
import { asTestCase } from "./testcases";

describe("test cases", () => {
  it("reads the bank's {name, code}", () => {
    expect(asTestCase({ name: "no pair", code: "assert two_sum([1, 2], 7) is None\n" })).toEqual({
      name: "no pair",
      code: "assert two_sum([1, 2], 7) is None\n",
    });
  });

  it("shows a plain string as code, and anything else as JSON", () => {
    expect(asTestCase("assert f() == 1")).toEqual({ name: "", code: "assert f() == 1" });
    expect(asTestCase({ input: [1], output: 2 })).toEqual({ name: "", code: '{"input":[1],"output":2}' });
  });
});
