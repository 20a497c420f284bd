import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { buildNotebooks, checkNotebooks, formatNotebook, learnerNotebook, MarkerError } from "../ci/build-notebooks";

interface TestCell {
  cell_type: string;
  source: string[];
  metadata: { tags?: string[] };
  outputs?: unknown[];
  execution_count?: number | null;
}

function code(source: string, extra: Partial<TestCell> = {}): TestCell {
  return { cell_type: "code", source: source.split(/(?<=\n)/), metadata: {}, outputs: [], execution_count: null, ...extra };
}

function notebook(...cells: TestCell[]): string {
  return formatNotebook({ cells, metadata: { kernelspec: { name: "tslab" } }, nbformat: 4, nbformat_minor: 5 });
}

function cellsOf(text: string): TestCell[] {
  return (JSON.parse(text) as { cells: TestCell[] }).cells;
}

const MODEL_CELL = [
  "function buildModel() {",
  "  // BEGIN SOLUTION: build the model with three dense layers",
  "  return tf.sequential();",
  "  // END SOLUTION",
  "}",
  "const x = 1;",
].join("\n");

describe("learnerNotebook", () => {
  it("replaces each solution region with a stub carrying the hint at the BEGIN line's indentation", () => {
    const text = learnerNotebook(notebook(code(MODEL_CELL), code("// BEGIN SOLUTION: load the data\nconst d = load();\n// END SOLUTION\n")), "t.ipynb");
    const [model, data] = cellsOf(text);
    assert.deepEqual(model.source, [
      "function buildModel() {\n",
      '  throw new Error("not implemented: build the model with three dense layers");\n',
      "}\n",
      "const x = 1;",
    ]);
    assert.deepEqual(data.source, ['throw new Error("not implemented: load the data");\n']);
  });

  it("strips outputs and execution counts, drops solution-only cells and keeps the rest", () => {
    const markdown: TestCell = { cell_type: "markdown", source: ["# Week 1 ✓\n", "text"], metadata: {} };
    const solution = notebook(
      markdown,
      code("1 + 1", { outputs: [{ output_type: "stream", name: "stdout", text: ["2\n"] }], execution_count: 3 }),
      code("showAnswer()", { metadata: { tags: ["solution-only"] } }),
    );
    const text = learnerNotebook(solution, "t.ipynb");
    const cells = cellsOf(text);
    assert.equal(cells.length, 2);
    assert.deepEqual(cells[0], markdown);
    assert.deepEqual(cells[1].outputs, []);
    assert.equal(cells[1].execution_count, null);
    assert.ok(text.startsWith('{\n "cells": [\n  {\n   "cell_type": "markdown"'), "one-space indent like Jupyter");
    assert.ok(text.endsWith("}\n"));
  });

  it("rejects unbalanced, nested and hintless markers, naming notebook, cell and line", () => {
    const cases: [string, RegExp][] = [
      ["// BEGIN SOLUTION: a\nx();", /w\.ipynb cell\[1\] line 1: BEGIN SOLUTION is never closed/],
      ["x();\n// END SOLUTION", /w\.ipynb cell\[1\] line 2: END SOLUTION without a BEGIN/],
      ["// BEGIN SOLUTION: a\n// BEGIN SOLUTION: b\n// END SOLUTION", /cell\[1\] line 2: BEGIN SOLUTION inside the region opened on line 1/],
      ["// BEGIN SOLUTION\nx();\n// END SOLUTION", /w\.ipynb cell\[1\] line 1: BEGIN SOLUTION needs a hint/],
    ];
    for (const [source, message] of cases) {
      assert.throws(() => learnerNotebook(notebook(code("ok()"), code(source)), "w.ipynb"), (err: unknown) => err instanceof MarkerError && message.test(err.message));
    }
  });
});

describe("buildNotebooks / checkNotebooks", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "build-notebooks-"));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const solutions = path.join(root, "solutions");
  const learners = path.join(root, "notebooks");
  fs.mkdirSync(solutions);
  fs.writeFileSync(path.join(solutions, "week1.ipynb"), notebook(code(MODEL_CELL)));

  it("reports a missing learner notebook, then nothing once built", () => {
    assert.deepEqual(checkNotebooks(root), ["notebooks/week1.ipynb is missing"]);
    assert.deepEqual(buildNotebooks(root), { written: ["notebooks/week1.ipynb"], removed: [] });
    assert.deepEqual(checkNotebooks(root), []);
  });

  it("detects a stale learner notebook, an extra one and a solution committed with outputs", () => {
    fs.appendFileSync(path.join(learners, "week1.ipynb"), " ");
    fs.writeFileSync(path.join(learners, "orphan.ipynb"), notebook());
    fs.writeFileSync(path.join(solutions, "week2.ipynb"), notebook(code("1", { execution_count: 1 })));
    const problems = checkNotebooks(root);
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.match(problems.join("\n"), /notebooks\/week1\.ipynb is stale/);
    assert.match(problems.join("\n"), /solutions\/week2\.ipynb carries outputs or execution counts in cell\[0\]/);
    assert.match(problems.join("\n"), /notebooks\/week2\.ipynb is missing/);
    assert.match(problems.join("\n"), /notebooks\/orphan\.ipynb has no solutions\/orphan\.ipynb/);
  });

  it("rebuilding fixes the drift it can and removes orphans, but not a solution's outputs", () => {
    assert.deepEqual(buildNotebooks(root), { written: ["notebooks/week1.ipynb", "notebooks/week2.ipynb"], removed: ["notebooks/orphan.ipynb"] });
    assert.deepEqual(checkNotebooks(root), ["solutions/week2.ipynb carries outputs or execution counts in cell[0]: clear them before committing"]);
  });
});
