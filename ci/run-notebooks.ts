// Executes notebooks through the project's tslab kernel (via ci/nbrun.py) and judges them:
// solutions must run clean and meet ci/expectations.json; learner notebooks must stop at their
// first exercise stub. `npm run notebooks -- [--profile quick|full] [paths...]`
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { MetricValue } from "../lib/metrics";
import { METRICS_FILE_ENV } from "../lib/metrics";
import { PROFILE_ENV, PROFILES, type Profile } from "../lib/profile";
import { findNbclientPython } from "./jupyter";
import { renderHtml, renderMarkdown, type Bound } from "./report";
import { KERNEL_NAME, OUT_DIR, REPO_ROOT, jupyterEnv } from "./paths";


/** notebook path relative to the repo → profile → metric → bound */
export type { Bound };
export type Expectations = Record<string, Partial<Record<Profile, Record<string, Bound>>>>;

export interface NotebookResult {
  /** Path relative to the repo root, with forward slashes: the key in expectations and metrics.json. */
  notebook: string;
  status: "passed" | "failed";
  seconds: number;
  metrics: Record<string, MetricValue>;
  /** Why it failed: the failing cell and its error, or the violated expectation. */
  error?: string;
  /** Seconds per cell index, for the cells the kernel was asked to run. */
  cellSeconds: Record<number, number>;
  executedPath: string;
}

export interface RunOptions {
  /** Defaults to ci/expectations.json. */
  expectations?: Expectations;
  /** Defaults to ci/out/metrics.json. */
  reportFile?: string;
  cellTimeoutSeconds?: number;
  notebookTimeoutSeconds?: number;
  /** Called as each notebook finishes, so another lane can start on it (npm test's browser check). */
  onResult?: (result: NotebookResult) => void;
}

/** What ci/nbrun.py prints. */
interface NbrunReport {
  status: "passed" | "failed";
  seconds: number;
  cells: { index: number; seconds: number }[];
  failure: { cell_index: number | null; source: string | null; reason: string; error: string } | null;
}

const NBRUN = path.join(REPO_ROOT, "ci", "nbrun.py");
export const EXPECTATIONS_FILE = path.join(REPO_ROOT, "ci", "expectations.json");
export const EXECUTED_DIR = path.join(OUT_DIR, "executed");
const STUB_MARKER = 'throw new Error("not implemented:';
const STUB_ERROR = "Error: not implemented:";

const TIMEOUTS: Record<Profile, { cell: number; notebook: number }> = {
  quick: { cell: 600, notebook: 1200 },
  full: { cell: 3600, notebook: 7200 },
};
// nbrun.py enforces the notebook timeout and shuts its kernel down; this margin only catches a
// runner that hangs itself, since killing it skips the kernel cleanup.
const BACKSTOP_SECONDS = 60;

export function relativeToRepo(file: string): string {
  return path.relative(REPO_ROOT, path.resolve(file)).split(path.sep).join("/");
}

/** Learner notebooks live in a folder named `notebooks` (the generated copies of solutions/). */
export function isLearnerNotebook(file: string): boolean {
  return path.basename(path.dirname(path.resolve(file))) === "notebooks";
}

export function defaultNotebooks(): string[] {
  return ["solutions", "notebooks"].flatMap((dir) => {
    const full = path.join(REPO_ROOT, dir);
    if (!fs.existsSync(full)) return [];
    return fs
      .readdirSync(full)
      .filter((f) => f.endsWith(".ipynb"))
      .sort()
      .map((f) => path.join(full, f));
  });
}

export function loadExpectations(file = EXPECTATIONS_FILE): Expectations {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Expectations) : {};
}

/** Every violated bound, worded with the shortfall; empty when all hold. */
export function checkExpectations(metrics: Record<string, MetricValue>, bounds: Record<string, Bound>): string[] {
  const problems: string[] = [];
  for (const [name, bound] of Object.entries(bounds)) {
    const value = metrics[name];
    const wanted = [bound.min !== undefined && `min ${bound.min}`, bound.max !== undefined && `max ${bound.max}`].filter(Boolean).join(", ");
    if (value === undefined) {
      problems.push(`metric ${name} was not recorded (expected ${wanted})`);
    } else if (typeof value !== "number") {
      problems.push(`metric ${name} is ${JSON.stringify(value)}, not a number (expected ${wanted})`);
    } else if (bound.min !== undefined && value < bound.min) {
      problems.push(`metric ${name} = ${value} is below min ${bound.min} by ${round(bound.min - value)}`);
    } else if (bound.max !== undefined && value > bound.max) {
      problems.push(`metric ${name} = ${value} is above max ${bound.max} by ${round(value - bound.max)}`);
    }
  }
  return problems;
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}

function cellSources(file: string): string[] {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells.map((c) => (c.cell_type === "code" ? (Array.isArray(c.source) ? c.source.join("") : c.source) : ""));
}

/** tslab's stack frames inside node and tslab itself say nothing about the notebook. */
function readableError(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s+at .*(node_modules[\\/]tslab[\\/]|\(node:|node:vm|sigintHandlersWrap)/.test(line))
    .join("\n")
    .trim();
}

function excerpt(source: string, maxLines = 8): string {
  const lines = source.split("\n");
  return lines.length <= maxLines ? source : [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`].join("\n");
}

function describeFailure(failure: NonNullable<NbrunReport["failure"]>): string {
  const where = failure.cell_index === null ? "before any cell" : `cell[${failure.cell_index}]`;
  const source = failure.source === null ? "" : `\n${excerpt(failure.source)}\n---`;
  return `${where} failed (${failure.reason}):${source}\n${readableError(failure.error)}`;
}

/** Learner notebooks pass only by stopping at their first stub with the stub's own error. */
function judgeLearner(file: string, report: NbrunReport): string | undefined {
  const firstStub = cellSources(file).findIndex((s) => s.includes(STUB_MARKER));
  const failure = report.failure;
  if (firstStub === -1) return failure ? describeFailure(failure) : undefined;
  if (!failure) return `ran to the end although cell[${firstStub}] holds an exercise stub that should throw`;
  if (failure.cell_index !== firstStub) {
    return `expected to stop at the exercise stub in cell[${firstStub}], but ${describeFailure(failure)}`;
  }
  if (failure.reason !== "error" || !failure.error.includes(STUB_ERROR)) {
    return `the exercise stub cell[${firstStub}] failed with something other than its "not implemented:" error: ${describeFailure(failure)}`;
  }
  return undefined;
}

function runNbrun(file: string, executedPath: string, env: NodeJS.ProcessEnv, timeouts: { cell: number; notebook: number }): Promise<NbrunReport | string> {
  const args = [NBRUN, file, executedPath, "--kernel", KERNEL_NAME, "--cell-timeout", String(timeouts.cell), "--notebook-timeout", String(timeouts.notebook)];
  const python = findNbclientPython();
  return new Promise((resolve) => {
    const child = spawn(python, args, { cwd: path.dirname(file), env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const backstop = setTimeout(() => {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    }, (timeouts.notebook + BACKSTOP_SECONDS) * 1000);
    child.on("error", (err) => {
      clearTimeout(backstop);
      resolve(`could not start ${python}: ${err.message}`);
    });
    child.on("close", (code, signal) => {
      clearTimeout(backstop);
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as NbrunReport);
      } catch {
        const tail = stderr.trim().split("\n").slice(-15).join("\n");
        resolve(`nbrun.py ended (${signal ?? `exit ${code}`}) without a report:\n${tail}`);
      }
    });
  });
}

export async function runNotebook(file: string, profile: Profile, expectations: Expectations, timeouts = TIMEOUTS[profile]): Promise<NotebookResult> {
  const notebook = relativeToRepo(file);
  const executedPath = path.join(EXECUTED_DIR, notebook);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "course-metrics-"));
  const metricsFile = path.join(tmp, "metrics.json");
  const started = Date.now();
  try {
    const env = { ...jupyterEnv(), [PROFILE_ENV]: profile, [METRICS_FILE_ENV]: metricsFile };
    const report = await runNbrun(path.resolve(file), executedPath, env, timeouts);
    const metrics = fs.existsSync(metricsFile) ? (JSON.parse(fs.readFileSync(metricsFile, "utf8")) as Record<string, MetricValue>) : {};
    const base = { notebook, metrics, executedPath };
    if (typeof report === "string") {
      return { ...base, status: "failed", seconds: (Date.now() - started) / 1000, cellSeconds: {}, error: report };
    }
    const cellSeconds = Object.fromEntries(report.cells.map((c) => [c.index, c.seconds]));
    const problems = isLearnerNotebook(file)
      ? [judgeLearner(file, report)].filter((p): p is string => p !== undefined)
      : report.failure
        ? [describeFailure(report.failure)]
        : checkExpectations(metrics, expectations[notebook]?.[profile] ?? {});
    return problems.length === 0
      ? { ...base, status: "passed", seconds: report.seconds, cellSeconds }
      : { ...base, status: "failed", seconds: report.seconds, cellSeconds, error: problems.join("\n") };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function summaryLine(r: NotebookResult): string {
  const figures = Object.entries(r.metrics)
    .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : v}`)
    .join(" ");
  const head = `${r.status === "passed" ? "✔ passed" : "✘ failed"}  ${r.notebook}  ${r.seconds.toFixed(1)} s${figures ? `  ${figures}` : ""}`;
  return r.error ? `${head}\n${r.error.replace(/^/gm, "    ")}` : head;
}

/** metrics.json for machines, report.md and report.html beside it for people. */
export function writeReport(results: NotebookResult[], file: string, profile: Profile, expectations: Expectations): void {
  const report = Object.fromEntries(
    results.map((r) => [r.notebook, { status: r.status, seconds: r.seconds, metrics: r.metrics, ...(r.error ? { error: r.error } : {}) }]),
  );
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  const rows = results.map((r) =>
    isLearnerNotebook(r.notebook)
      ? { ...r, bounds: {}, note: r.status === "passed" ? "stopped at its first exercise stub, as a learner copy should" : "a learner copy must stop at its first exercise stub" }
      : { ...r, bounds: expectations[r.notebook]?.[profile] ?? {} },
  );
  fs.writeFileSync(path.join(path.dirname(file), "report.md"), renderMarkdown(rows, profile));
  fs.writeFileSync(path.join(path.dirname(file), "report.html"), renderHtml(rows, profile));
}

/** Runs the notebooks one after another: a kernel keeps one core busy, and npm test gives the other to its browser lane. */
export async function runNotebooks(files: string[], profile: Profile = "full", options: RunOptions = {}): Promise<NotebookResult[]> {
  const expectations = options.expectations ?? loadExpectations();
  const timeouts = {
    cell: options.cellTimeoutSeconds ?? TIMEOUTS[profile].cell,
    notebook: options.notebookTimeoutSeconds ?? TIMEOUTS[profile].notebook,
  };
  const results: NotebookResult[] = [];
  for (const file of files) {
    console.log(`▶ ${relativeToRepo(file)} (${profile}${isLearnerNotebook(file) ? ", learner: must stop at its first stub" : ""})`);
    const result = await runNotebook(file, profile, expectations, timeouts);
    console.log(summaryLine(result));
    results.push(result);
    options.onResult?.(result);
  }
  writeReport(results, options.reportFile ?? path.join(OUT_DIR, "metrics.json"), profile, expectations);
  return results;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { profile: { type: "string", default: "full" } }, allowPositionals: true });
  const profile = values.profile as Profile;
  if (!PROFILES.includes(profile)) throw new Error(`--profile must be one of ${PROFILES.join(", ")}, not ${values.profile}`);
  // npm runs scripts from the repo root; INIT_CWD is where the user typed the paths.
  const base = process.env.INIT_CWD ?? process.cwd();
  const files = positionals.length > 0 ? positionals.map((p) => path.resolve(base, p)) : defaultNotebooks();
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length > 0) throw new Error(`no such notebook: ${missing.join(", ")}`);
  const results = await runNotebooks(files, profile);
  const failed = results.filter((r) => r.status === "failed").length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
