// The human-readable side of a notebook run: ci/out/report.md (and .html) with one row per notebook,
// each metric against its expected range, failures with the failing cell and its error, and the
// durations sorted so the slowest notebooks stand out.
import type { MetricValue } from "../lib/metrics";
import type { Profile } from "../lib/profile";

export interface Bound {
  min?: number;
  max?: number;
}

export interface ReportRow {
  notebook: string;
  status: "passed" | "failed";
  seconds: number;
  metrics: Record<string, MetricValue>;
  bounds: Record<string, Bound>;
  error?: string;
  /** Shown where a row has no metrics, e.g. what a learner copy is judged on. */
  note?: string;
}

export function formatBound(b: Bound): string {
  if (b.min !== undefined && b.max !== undefined) return `${b.min}–${b.max}`;
  if (b.min !== undefined) return `≥ ${b.min}`;
  if (b.max !== undefined) return `≤ ${b.max}`;
  return "any";
}

function formatValue(v: MetricValue | undefined): string {
  if (v === undefined) return "missing";
  return typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : String(v);
}

/** The backend column: "—" where the notebook recorded none (learner copies stop before they do). */
const backendCell = (r: ReportRow) => (r.metrics.backend === undefined ? "—" : formatValue(r.metrics.backend));

function inBounds(v: MetricValue | undefined, b: Bound): boolean {
  return typeof v === "number" && (b.min === undefined || v >= b.min) && (b.max === undefined || v <= b.max);
}

/** "test_accuracy 0.9683 (≥ 0.955 ✔)" for expected metrics, plain "seconds 34.2" for the rest. */
function metricCells(row: ReportRow): string[] {
  const expected = Object.entries(row.bounds).map(([name, b]) => {
    const v = row.metrics[name];
    return `${name} ${formatValue(v)} (${formatBound(b)} ${inBounds(v, b) ? "✔" : "✘"})`;
  });
  const other = Object.entries(row.metrics)
    .filter(([name]) => !(name in row.bounds) && name !== "backend")
    .map(([name, v]) => `${name} ${formatValue(v)}`);
  const cells = [...expected, ...other];
  return cells.length === 0 && row.note ? [row.note] : cells;
}

const escapeCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderMarkdown(rows: readonly ReportRow[], profile: Profile, when = new Date()): string {
  const failed = rows.filter((r) => r.status === "failed");
  const total = rows.reduce((s, r) => s + r.seconds, 0);
  const lines = [
    `# Notebook report — ${profile} profile`,
    "",
    `${rows.length - failed.length} passed, ${failed.length} failed · ${total.toFixed(0)} s in all · ${when.toISOString()}`,
    "",
    "| notebook | status | seconds | backend | metrics (expected range) |",
    "|---|---|---:|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.notebook} | ${r.status === "passed" ? "✔ passed" : "✘ failed"} | ${r.seconds.toFixed(1)} | ${backendCell(r)} | ` +
        `${escapeCell(metricCells(r).join("; ")) || "—"} |`,
    ),
    "",
    "## Slowest first",
    "",
    "| notebook | seconds | share |",
    "|---|---:|---:|",
    ...[...rows].sort((a, b) => b.seconds - a.seconds).map((r) => `| ${r.notebook} | ${r.seconds.toFixed(1)} | ${((100 * r.seconds) / Math.max(total, 1e-9)).toFixed(0)} % |`),
  ];
  for (const r of failed) {
    lines.push("", `## ✘ ${r.notebook}`, "", "```", (r.error ?? "failed without a message").trim(), "```");
  }
  return lines.join("\n") + "\n";
}

const html = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export function renderHtml(rows: readonly ReportRow[], profile: Profile, when = new Date()): string {
  const failed = rows.filter((r) => r.status === "failed");
  const body = rows
    .map(
      (r) =>
        `<tr class="${r.status}"><td>${html(r.notebook)}</td><td>${r.status}</td><td class="n">${r.seconds.toFixed(1)}</td>` +
        `<td>${html(backendCell(r))}</td><td>${metricCells(r).map(html).join("<br>")}</td></tr>`,
    )
    .join("\n");
  const failures = failed.map((r) => `<h2>✘ ${html(r.notebook)}</h2><pre>${html((r.error ?? "").trim())}</pre>`).join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Notebook report (${profile})</title><style>
body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}
.passed td:nth-child(2){color:#080}.failed td:nth-child(2){color:#b00;font-weight:bold}.n{text-align:right}pre{background:#f6f6f6;padding:1em;overflow:auto}
</style></head><body><h1>Notebook report — ${profile} profile</h1>
<p>${rows.length - failed.length} passed, ${failed.length} failed · ${when.toISOString()}</p>
<table><tr><th>notebook</th><th>status</th><th>seconds</th><th>backend</th><th>metrics (expected range)</th></tr>
${body}
</table>${failures}</body></html>
`;
}

/** One notebook run through Jupyter's UI in a real browser (ci/browser-check.ts). */
export interface BrowserRow {
  notebook: string;
  status: "passed" | "failed";
  seconds: number;
  images: number;
  /** Relative to the report's folder, so the link works inside the uploaded artifact. */
  screenshot: string;
  error?: string;
}

// The browser check runs after the notebook report is written; it replaces only its own section
// (from this marker to the end), so running it again does not stack sections.
const BROWSER_MARK = "<!-- browser-check -->";

export function renderBrowserMarkdown(rows: readonly BrowserRow[]): string {
  const failed = rows.filter((r) => r.status === "failed");
  const lines = [
    BROWSER_MARK,
    "## Real browser (classic Notebook + headless Chromium, Run All)",
    "",
    `${rows.length - failed.length} passed, ${failed.length} failed`,
    "",
    "| notebook | status | seconds | images/charts | screenshot |",
    "|---|---|---:|---:|---|",
    ...rows.map((r) => `| ${r.notebook} | ${r.status === "passed" ? "✔ passed" : "✘ failed"} | ${r.seconds.toFixed(1)} | ${r.images} | [${r.screenshot}](${r.screenshot}) |`),
  ];
  for (const r of failed) lines.push("", `### ✘ ${r.notebook} (browser)`, "", "```", (r.error ?? "failed without a message").trim(), "```");
  return lines.join("\n") + "\n";
}

export function renderBrowserHtml(rows: readonly BrowserRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr class="${r.status}"><td>${html(r.notebook)}</td><td>${r.status}</td><td class="n">${r.seconds.toFixed(1)}</td><td class="n">${r.images}</td>` +
        `<td><a href="${html(r.screenshot)}">${html(r.screenshot)}</a>${r.error ? `<pre>${html(r.error.trim())}</pre>` : ""}</td></tr>`,
    )
    .join("\n");
  return `${BROWSER_MARK}<h2>Real browser (classic Notebook + headless Chromium, Run All)</h2>
<table><tr><th>notebook</th><th>status</th><th>seconds</th><th>images/charts</th><th>screenshot</th></tr>
${body}
</table>
`;
}

/** `report` with its browser section (if any) replaced by `section`; HTML keeps its closing tags last. */
export function withBrowserSection(report: string, section: string): string {
  const mark = report.indexOf(BROWSER_MARK);
  const isHtml = report.trimEnd().endsWith("</html>");
  const tail = isHtml ? "</body></html>\n" : "";
  let head = mark >= 0 ? report.slice(0, mark) : report;
  if (isHtml && mark < 0) head = head.slice(0, head.lastIndexOf("</body>"));
  return `${head.trimEnd()}\n\n${section}${tail}`;
}
