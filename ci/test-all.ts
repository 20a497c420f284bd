// `npm test`: every check the project has, in order, continuing past failures so one run shows
// everything that is wrong. Ends with the line `N passed, N failed` (N = checks: typecheck, each
// unit test, the notebook sync check, each notebook run).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkNotebooks } from "./build-notebooks";
import { addBrowserSection, BROWSER_NOTEBOOKS, browserCheck } from "./browser-check";
import { REPO_ROOT } from "./paths";
import { defaultNotebooks, runNotebooks } from "./run-notebooks";

interface Tally {
  passed: number;
  failed: number;
  failures: string[];
}

const tally: Tally = { passed: 0, failed: 0, failures: [] };

function record(name: string, ok: boolean, count = 1): void {
  if (ok) tally.passed += count;
  else {
    tally.failed += count;
    tally.failures.push(name);
  }
}

function section(title: string): void {
  console.log(`\n━━ ${title} ━━`);
}

function run(command: string, args: string[]): number {
  const r = spawnSync(command, args, { cwd: REPO_ROOT, stdio: "inherit", env: process.env });
  return r.status ?? 1;
}

// Twice: the whole project, strict, with the project's TypeScript; and lib/ the way tslab compiles
// it inside every notebook (its own older TypeScript, non-strict, with declaration emit), because
// the two disagree on some code and a notebook's import cell fails on tslab's verdict.
const TYPECHECKS: { name: string; bin: string; config: string }[] = [
  { name: "project, strict (TypeScript 5.9)", bin: "typescript/bin/tsc", config: "tsconfig.json" },
  { name: "lib/ as tslab compiles it (TypeScript 5.0)", bin: "@tslab/typescript-for-tslab/bin/tsc", config: "tsconfig.tslab.json" },
];

function typecheck(): void {
  for (const { name, bin, config } of TYPECHECKS) {
    section(`typecheck: ${name}`);
    const ok = run(process.execPath, [require.resolve(bin), "-p", config, ...(config === "tsconfig.json" ? ["--noEmit"] : [])]) === 0;
    if (ok) console.log("  ✔ no type errors");
    record(`typecheck: ${name}`, ok);
  }
}

function unitTests(): void {
  section("unit tests (node --test)");
  const files = fs.readdirSync(path.join(REPO_ROOT, "test")).filter((f) => f.endsWith(".test.ts")).sort().map((f) => path.join("test", f));
  const tap = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "course-tests-")), "report.tap");
  const code = run(process.execPath, [
    "--import", "tsx", "--test",
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=tap", `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, "utf8") : "";
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  const passed = count("pass");
  const failed = count("fail") + count("cancelled");
  if (passed + failed === 0) record("unit tests: no test ran", false);
  else {
    record("unit tests", true, passed);
    if (failed > 0 || code !== 0) record(`unit tests (${failed} failing)`, false, Math.max(failed, 1));
  }
}

function notebookSync(): void {
  section("learner notebooks in sync with solutions");
  const problems = checkNotebooks();
  for (const p of problems) console.log(`  ✘ ${p}`);
  if (problems.length === 0) console.log("  ✔ notebooks/ matches what solutions/ generates (npm run build:notebooks)");
  record("notebook sync (run npm run build:notebooks)", problems.length === 0);
}

// Two lanes side by side, one core each (a wasm kernel uses one): the headless run, and the browser
// check one notebook behind it, since it compares its chart count with the headless run's.
async function notebooksAndBrowser(): Promise<void> {
  section("notebooks, quick profile: headless (solutions must pass; learner copies must stop at their first exercise), " +
    "and Run All in classic Notebook + headless Chromium beside it (screenshots in ci/out/screenshots/)");
  const headlessDone = new Map<string, () => void>();
  const waits = new Map(BROWSER_NOTEBOOKS.map((nb) => [nb, new Promise<void>((resolve) => headlessDone.set(nb, resolve))]));
  const releaseAll = () => headlessDone.forEach((release) => release());
  const headless = runNotebooks(defaultNotebooks(), "quick", { onResult: (r) => headlessDone.get(r.notebook)?.() })
    .then((results) => {
      for (const r of results) record(`notebook ${r.notebook}`, r.status === "passed");
    })
    .catch((err: unknown) => {
      console.log(`  ✘ ${(err as Error).message}`);
      record("headless notebook run", false);
    })
    .finally(releaseAll);
  const browser = browserCheck(BROWSER_NOTEBOOKS, { before: (nb) => waits.get(nb) ?? Promise.resolve() }).catch((err: unknown) => {
    console.log(`  ✘ browser check: ${(err as Error).message}`);
    record("browser check could not start", false);
    return [];
  });
  const [, browserResults] = await Promise.all([headless, browser]);
  // After the headless run has written the report, which the browser section is added to.
  if (browserResults.length > 0) addBrowserSection(browserResults);
  for (const r of browserResults) record(`browser ${r.notebook}`, r.status === "passed");
}

// Offline copies of the datasets and models beside the repository (../shared on the project's
// machines and CI) are used when the variables are not set, so `npm test` needs no network there.
function useSharedCopies(): void {
  for (const [env, folder] of [["COURSE_LOCAL_DATA", "data"], ["COURSE_LOCAL_MODELS", "models"]] as const) {
    const dir = path.resolve(REPO_ROOT, "..", "shared", folder);
    if (!process.env[env] && fs.existsSync(dir)) {
      process.env[env] = dir;
      console.log(`${env}=${dir} (offline copies beside the repository)`);
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  useSharedCopies();
  typecheck();
  unitTests();
  notebookSync();
  await notebooksAndBrowser();
  section(`summary (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  for (const f of tally.failures) console.log(`  ✘ ${f}`);
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  process.exitCode = tally.failed > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  console.log(`${tally.passed} passed, ${tally.failed + 1} failed`);
  process.exitCode = 1;
});
