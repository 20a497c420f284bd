import { test } from "node:test";
import assert from "node:assert/strict";
import { renderBrowserHtml, renderBrowserMarkdown, renderHtml, renderMarkdown, withBrowserSection, type ReportRow } from "../ci/report";

const rows: ReportRow[] = [
  { notebook: "solutions/week1-basics.ipynb", status: "passed", seconds: 40.2, metrics: { test_accuracy: 0.9683, epochs: 5, backend: "wasm" }, bounds: { test_accuracy: { min: 0.955 } } },
  {
    notebook: "solutions/week2-cnn.ipynb",
    status: "failed",
    seconds: 200,
    metrics: { test_accuracy: 0.9, backend: "wasm" },
    bounds: { test_accuracy: { min: 0.975 }, seconds: { max: 300 } },
    error: "cell[12] failed (error):\nconst x = model.predict(y)\n---\nError: boom | pipe",
  },
];

test("report.md: a row per notebook with metrics against ranges, failures with cell and error, slowest first", () => {
  const md = renderMarkdown(rows, "quick", new Date("2026-01-01T00:00:00Z"));
  assert.match(md, /1 passed, 1 failed · 240 s in all/);
  assert.match(md, /\| solutions\/week1-basics\.ipynb \| ✔ passed \| 40\.2 \| wasm \| test_accuracy 0\.9683 \(≥ 0\.955 ✔\); epochs 5 \|/);
  assert.match(md, /test_accuracy 0\.9000 \(≥ 0\.975 ✘\); seconds missing \(≤ 300 ✘\)/);
  assert.match(md, /---\nError: boom \| pipe\n```/, "the error text is quoted verbatim in a code block");
  assert.match(md, /## ✘ solutions\/week2-cnn\.ipynb\n\n```\ncell\[12\] failed \(error\):\nconst x = model\.predict\(y\)/);
  const slowest = md.slice(md.indexOf("## Slowest first"));
  assert.ok(slowest.indexOf("week2-cnn") < slowest.indexOf("week1-basics"), "the slowest notebook comes first");
  assert.match(slowest, /\| solutions\/week2-cnn\.ipynb \| 200\.0 \| 83 % \|/);
});

test("a row without metrics shows its note, and a dash where no backend was recorded", () => {
  const learner: ReportRow = { notebook: "notebooks/week1-basics.ipynb", status: "passed", seconds: 8.8, metrics: {}, bounds: {}, note: "stopped at its first exercise stub" };
  assert.match(renderMarkdown([learner], "quick"), /\| notebooks\/week1-basics\.ipynb \| ✔ passed \| 8\.8 \| — \| stopped at its first exercise stub \|/);
  assert.match(renderHtml([learner], "quick"), /<td>—<\/td><td>stopped at its first exercise stub<\/td>/);
  assert.match(renderMarkdown([{ ...learner, note: undefined }], "quick"), /\| — \| — \|/);
});

test("report.html escapes error text and marks status", () => {
  const page = renderHtml([{ ...rows[1], error: "<script>alert(1)</script>" }], "full");
  assert.ok(!page.includes("<script>alert"));
  assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(page, /<tr class="failed">/);
});

test("the browser section lists each notebook with its screenshot and replaces itself on a second run", () => {
  const browserRows = [
    { notebook: "solutions/week1-basics.ipynb", status: "passed" as const, seconds: 21.5, images: 3, screenshot: "screenshots/solutions__week1-basics.png" },
    { notebook: "solutions/week2-cnn.ipynb", status: "failed" as const, seconds: 9, images: 0, screenshot: "screenshots/solutions__week2-cnn.png", error: "error output: boom" },
  ];
  const md = renderMarkdown(rows, "quick");
  const once = withBrowserSection(md, renderBrowserMarkdown(browserRows));
  assert.ok(once.startsWith(md.trimEnd()), "the notebook report is kept");
  assert.match(once, /\| solutions\/week1-basics\.ipynb \| ✔ passed \| 21\.5 \| 3 \| \[screenshots\/solutions__week1-basics\.png\]\(screenshots\/solutions__week1-basics\.png\) \|/);
  assert.match(once, /### ✘ solutions\/week2-cnn\.ipynb \(browser\)\n\n```\nerror output: boom\n```/);
  const twice = withBrowserSection(once, renderBrowserMarkdown(browserRows.slice(0, 1)));
  assert.equal(twice.split("## Real browser").length, 2, "one browser section after two runs");
  assert.ok(!twice.includes("week2-cnn.ipynb (browser)"));

  const page = withBrowserSection(renderHtml(rows, "quick"), renderBrowserHtml(browserRows));
  assert.ok(page.trimEnd().endsWith("</body></html>"));
  assert.equal(page.split("</body>").length, 2);
  assert.match(page, /<a href="screenshots\/solutions__week1-basics\.png">/);
});
