// Runs tiny notebooks through the real tslab kernel: each kernel start costs 2–6 s, so every
// notebook below is run once, all in one runNotebooks call, and the cases check its results.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { OUT_DIR, REPO_ROOT } from "../ci/paths";
import { EXECUTED_DIR, relativeToRepo, runNotebooks, type Expectations, type NotebookResult } from "../ci/run-notebooks";

const dir = path.join(OUT_DIR, "tmp-tests", `run-notebooks-${process.pid}`);

function writeNotebook(file: string, sources: string[]): string {
  const cells = sources.map((source, i) => ({ cell_type: "code", execution_count: null, id: `cell${i}`, metadata: {}, outputs: [], source }));
  const nb = { cells, metadata: { kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" } }, nbformat: 4, nbformat_minor: 5 };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
  return file;
}

const METRICS_CELLS = [
  'import { recordMetrics } from "./lib/metrics";',
  'recordMetrics({ test_accuracy: 0.97, epochs: 2, profile: process.env.COURSE_PROFILE ?? "unset" });',
];
const STUB_CELL = 'function train(): number {\n  throw new Error("not implemented: write the training loop");\n}\ntrain();';

const notebooks = {
  throws: writeNotebook(path.join(dir, "throws.ipynb"), ["const a = 1;\na", 'throw new Error("second cell broke");', 'console.log("third cell ran");']),
  metricsOk: writeNotebook(path.join(dir, "metrics-ok.ipynb"), METRICS_CELLS),
  metricsLow: writeNotebook(path.join(dir, "metrics-low.ipynb"), METRICS_CELLS),
  learnerAtStub: writeNotebook(path.join(dir, "notebooks", "at-stub.ipynb"), ["const ready = true;", STUB_CELL, 'console.log("after the stub");']),
  learnerEarly: writeNotebook(path.join(dir, "notebooks", "early.ipynb"), ['const n: number = "not a number";', STUB_CELL]),
  learnerBrokenStub: writeNotebook(path.join(dir, "notebooks", "broken-stub.ipynb"), [`${STUB_CELL}\nconst missing: number = undefinedName;`]),
  slow: writeNotebook(path.join(dir, "slow.ipynb"), ["await new Promise((resolve) => setTimeout(resolve, 60_000));"]),
};

const expectations: Expectations = {
  [relativeToRepo(notebooks.metricsOk)]: { quick: { test_accuracy: { min: 0.955 }, epochs: { min: 1, max: 5 } } },
  [relativeToRepo(notebooks.metricsLow)]: { quick: { test_accuracy: { min: 0.99 }, loss: { max: 0.5 } } },
};

describe("runNotebooks through the tslab kernel", { timeout: 120_000 }, () => {
  const results = new Map<string, NotebookResult>();
  const announced: string[] = [];
  const reportFile = path.join(dir, "metrics.json");

  before(async () => {
    fs.symlinkSync(path.join(REPO_ROOT, "lib"), path.join(dir, "lib"));
    const { slow, ...rest } = notebooks;
    const files = Object.values(rest);
    // Whether the next notebook had been executed yet when this one was announced: it must not have.
    const nextRan = (r: NotebookResult) => {
      const next = files[files.findIndex((f) => relativeToRepo(f) === r.notebook) + 1];
      return next !== undefined && fs.existsSync(path.join(EXECUTED_DIR, relativeToRepo(next)));
    };
    const main = await runNotebooks(files, "quick", { expectations, reportFile, onResult: (r) => announced.push(`${r.notebook} ${r.status} next ran: ${nextRan(r)}`) });
    const timedOut = await runNotebooks([slow], "quick", { reportFile: path.join(dir, "slow.json"), cellTimeoutSeconds: 3 });
    for (const r of [...main, ...timedOut]) results.set(r.notebook, r);
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.join(EXECUTED_DIR, relativeToRepo(dir)), { recursive: true, force: true });
  });
  const result = (file: string): NotebookResult => results.get(relativeToRepo(file)) ?? assert.fail(`no result for ${file}`);

  it("stops at a cell that throws, reports its message and never runs the next cell", () => {
    const r = result(notebooks.throws);
    assert.equal(r.status, "failed");
    assert.match(r.error ?? "", /cell\[1\] failed \(error\)/);
    assert.match(r.error ?? "", /Error: second cell broke/);
    assert.deepEqual(Object.keys(r.cellSeconds), ["0", "1"]);
    const cells = (JSON.parse(fs.readFileSync(r.executedPath, "utf8")) as { cells: { execution_count: number | null; outputs: unknown[] }[] }).cells;
    assert.deepEqual(
      cells.map((c) => c.execution_count),
      [1, 2, null],
    );
    assert.deepEqual(cells[2].outputs, []);
  });

  it("passes a clean notebook and returns the metrics it recorded, with the profile in its env", () => {
    const r = result(notebooks.metricsOk);
    assert.equal(r.status, "passed", r.error);
    assert.deepEqual(r.metrics, { test_accuracy: 0.97, epochs: 2, profile: "quick" });
    const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as Record<string, { status: string; metrics: object }>;
    assert.equal(report[relativeToRepo(notebooks.metricsOk)].status, "passed");
    assert.deepEqual(report[relativeToRepo(notebooks.metricsOk)].metrics, r.metrics);
  });

  it("fails a notebook whose metric is out of range or missing, saying by how much", () => {
    const r = result(notebooks.metricsLow);
    assert.equal(r.status, "failed");
    assert.match(r.error ?? "", /metric test_accuracy = 0\.97 is below min 0\.99 by 0\.02/);
    assert.match(r.error ?? "", /metric loss was not recorded \(expected max 0\.5\)/);
  });

  it("passes a learner notebook stopping at its stub, fails one breaking earlier or at the stub with another error", () => {
    assert.equal(result(notebooks.learnerAtStub).status, "passed", result(notebooks.learnerAtStub).error);
    const early = result(notebooks.learnerEarly);
    assert.equal(early.status, "failed");
    assert.match(early.error ?? "", /expected to stop at the exercise stub in cell\[1\], but cell\[0\] failed/);
    assert.match(early.error ?? "", /not assignable to type 'number'/);
    const broken = result(notebooks.learnerBrokenStub);
    assert.equal(broken.status, "failed");
    assert.match(broken.error ?? "", /stub cell\[0\] failed with something other than its "not implemented:" error[\s\S]*Cannot find name 'undefinedName'/);
  });

  it("announces each result as its notebook finishes, in order (npm test's browser lane waits on it)", () => {
    const { slow: _slow, ...rest } = notebooks;
    assert.deepEqual(announced, Object.values(rest).map((f) => `${relativeToRepo(f)} ${result(f).status} next ran: false`));
  });

  it("fails a cell that outlives its timeout", () => {
    const r = result(notebooks.slow);
    assert.equal(r.status, "failed");
    assert.match(r.error ?? "", /cell\[0\] failed \(timeout\)[\s\S]*timed out after 3 s/);
  });
});
