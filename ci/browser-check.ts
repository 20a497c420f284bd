// Real-browser check: classic Jupyter Notebook on 127.0.0.1, headless Debian Chromium driven by
// playwright-core, "Cell → Run All" clicked in the page for each notebook (quick profile). Fails on
// any error output, any cell left unrun, or fewer images/charts than the headless run produced.
// Saves a full-page screenshot per notebook in ci/out/screenshots/.
// `npx tsx ci/browser-check.ts [notebooks...]`; npm test runs it on BROWSER_NOTEBOOKS beside the
// headless run, each notebook starting once the headless run has finished it (for the chart count).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { cacheRoot, DATA_HOME_ENV } from "../lib/data/cache";
import { PROFILE_ENV } from "../lib/profile";
import { findJupyter, INSTALL_HINT } from "./jupyter";
import { jupyterEnv, OUT_DIR, REPO_ROOT } from "./paths";
import { renderBrowserHtml, renderBrowserMarkdown, withBrowserSection } from "./report";

/** Every solution notebook, in course order (weeks 5 and 6 reuse the caches weeks 3 and 4 fill). */
export const BROWSER_NOTEBOOKS = [
  "solutions/week1-basics.ipynb",
  "solutions/week2-cnn.ipynb",
  "solutions/week3-cifar10.ipynb",
  "solutions/week4-pretrained.ipynb",
  "solutions/week5-embeddings.ipynb",
  "solutions/week6-visual-search.ipynb",
];
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Copies live here so that the notebook's autosave never writes outputs into solutions/.
const WORK_DIR = path.join(OUT_DIR, "browser");
export const SCREENSHOT_DIR = path.join(OUT_DIR, "screenshots");

export interface BrowserResult {
  notebook: string;
  status: "passed" | "failed";
  seconds: number;
  images: number;
  screenshot: string;
  error?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function startJupyter(): Promise<{ child: ChildProcess; base: string; token: string }> {
  const jupyter = findJupyter("notebook");
  if (!jupyter) throw new Error(`classic Jupyter Notebook not found. ${INSTALL_HINT}`);
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  // A cache of its own: the headless run writes checkpoints and embeddings into the course cache
  // while this run goes on beside it, and a checkpoint replaced mid-load would fail for no fault of
  // the notebook. Run in course order, the notebooks fill it as on a learner's fresh machine.
  const dataHome = path.join(cacheRoot(), "browser-check");
  const child = spawn(
    jupyter.command,
    [...jupyter.prefix, "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, `--NotebookApp.token=${token}`,
      `--notebook-dir=${WORK_DIR}`, "--allow-root", "--NotebookApp.disable_check_xsrf=False"],
    { env: { ...jupyterEnv(), [PROFILE_ENV]: "quick", [DATA_HOME_ENV]: dataHome }, stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  let log = "";
  child.stderr!.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) throw new Error(`Jupyter exited (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${base}/api/status?token=${token}`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return { child, base, token };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  stopJupyter(child);
  throw new Error(`Jupyter did not answer on ${base} within 60 s:\n${log}`);
}

function stopJupyter(child: ChildProcess): void {
  // The server starts kernels as its children: end the whole process group.
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    // already gone
  }
}

/** Image outputs (PNG/SVG) the headless run produced: the browser must show at least as many. */
function headlessImageCount(notebook: string): number | undefined {
  const executed = path.join(OUT_DIR, "executed", notebook);
  if (!fs.existsSync(executed)) return undefined;
  const nb = JSON.parse(fs.readFileSync(executed, "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && ("image/png" in o.data || "image/svg+xml" in o.data)).length;
}

// Run inside the page, so written as source text: the project's TypeScript has no DOM types.
const KERNEL_CONNECTED = "window.Jupyter?.notebook?.kernel?.is_connected() === true";
const CELLS_BUSY = `(() => {
  const running = [...document.querySelectorAll(".input_prompt")].some((p) => p.textContent.includes("[*]"));
  const idle = document.querySelector("#kernel_indicator_icon")?.classList.contains("kernel_idle_icon") ?? false;
  return running || !idle;
})()`;
const PAGE_STATE = `(() => {
  const cells = [...document.querySelectorAll(".cell.code_cell")];
  const unrun = cells.map((c, i) => ({ i, prompt: c.querySelector(".input_prompt")?.textContent ?? "" }))
    .filter((c) => !/\\[\\d+\\]/.test(c.prompt)).map((c) => c.i);
  const errors = [...document.querySelectorAll(".output_stderr, .output_error")].map((e) => e.textContent.slice(0, 800));
  const images = document.querySelectorAll(".output_png img, .output_svg svg, .output_area img").length;
  return { unrun, errors, images };
})()`;

// The notebook scrolls inside #site, so a full-page screenshot would show one screen: let it grow.
const UNCLIP_PAGE = `for (const el of [document.body, document.querySelector("#site")]) { el.style.height = "auto"; el.style.overflow = "visible"; }`;

function prepareCopy(notebook: string): string {
  const target = path.join(WORK_DIR, notebook);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, notebook), target);
  const link = path.join(path.dirname(target), "lib");
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(REPO_ROOT, "lib"), link);
  return target;
}

async function runInPage(page: Page, url: string, timeoutMs: number): Promise<void> {
  await page.goto(url, { waitUntil: "domcontentloaded" });
  await page.waitForFunction(KERNEL_CONNECTED, undefined, { timeout: 60_000 });
  await page.click("#celllink");
  await page.click("#run_all_cells");
  // Done when no cell shows "In [*]" and the kernel is idle, twice in a row a second apart.
  let settled = 0;
  const deadline = Date.now() + timeoutMs;
  while (settled < 2) {
    if (Date.now() > deadline) throw new Error(`cells still running after ${timeoutMs / 1000} s`);
    await page.waitForTimeout(1000);
    const busy = (await page.evaluate(CELLS_BUSY)) as boolean;
    settled = busy ? 0 : settled + 1;
  }
}

/** Ends every kernel the server runs, so one notebook's memory is not held through the next. */
async function shutdownKernels(base: string, token: string): Promise<void> {
  const sessions = (await (await fetch(`${base}/api/sessions?token=${token}`)).json()) as { id: string }[];
  for (const s of sessions) await fetch(`${base}/api/sessions/${s.id}?token=${token}`, { method: "DELETE" });
}

async function checkNotebook(context: BrowserContext, base: string, token: string, notebook: string): Promise<BrowserResult> {
  const started = Date.now();
  const name = notebook.replace(/[\\/]/g, "__").replace(/\.ipynb$/, "");
  const screenshot = path.join(SCREENSHOT_DIR, `${name}.png`);
  prepareCopy(notebook);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  try {
    await runInPage(page, `${base}/notebooks/${notebook}?token=${token}`, 15 * 60_000);
    const state = (await page.evaluate(PAGE_STATE)) as { unrun: number[]; errors: string[]; images: number };
    await page.evaluate(UNCLIP_PAGE);
    await page.screenshot({ path: screenshot, fullPage: true });
    const expected = headlessImageCount(notebook);
    const problems = [
      ...state.errors.map((e) => `error output: ${e}`),
      ...(state.unrun.length ? [`code cells not run: ${state.unrun.join(", ")}`] : []),
      ...(expected !== undefined && state.images < expected ? [`${state.images} images/charts shown, the headless run produced ${expected}`] : []),
      ...(expected === undefined && state.images === 0 ? ["no image or chart was rendered"] : []),
      ...pageErrors.map((e) => `page error: ${e}`),
    ];
    return { notebook, status: problems.length ? "failed" : "passed", seconds: (Date.now() - started) / 1000, images: state.images, screenshot, ...(problems.length ? { error: problems.join("\n") } : {}) };
  } catch (err) {
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => undefined);
    return { notebook, status: "failed", seconds: (Date.now() - started) / 1000, images: 0, screenshot, error: (err as Error).message };
  } finally {
    await page.close();
    await shutdownKernels(base, token);
  }
}

/** Adds (or replaces) the browser section of ci/out/report.md and report.html. */
export function addBrowserSection(results: readonly BrowserResult[]): void {
  const rows = results.map((r) => ({ ...r, screenshot: path.relative(OUT_DIR, r.screenshot) }));
  for (const [file, section] of [["report.md", renderBrowserMarkdown(rows)], ["report.html", renderBrowserHtml(rows)]] as const) {
    const target = path.join(OUT_DIR, file);
    const existing = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
    fs.writeFileSync(target, existing === undefined ? section : withBrowserSection(existing, section));
  }
}

export interface BrowserCheckOptions {
  /** Awaited before each notebook opens: npm test waits there for the headless run of the same notebook. */
  before?: (notebook: string) => Promise<void>;
}

export async function browserCheck(notebooks: readonly string[] = BROWSER_NOTEBOOKS, options: BrowserCheckOptions = {}): Promise<BrowserResult[]> {
  const present = notebooks.filter((n) => fs.existsSync(path.join(REPO_ROOT, n)));
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt install chromium (or set CHROMIUM_PATH).`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const { child, base, token } = await startJupyter();
  // A fixed folder, emptied first, so a run killed midway leaves nothing that piles up.
  const userDataDir = path.join(OUT_DIR, "chromium-profile");
  fs.rmSync(userDataDir, { recursive: true, force: true });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    viewport: { width: 1280, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    // Localhost only: anything else the page asks for is refused, so a CDN dependency shows up as a failure.
    await context.route(/^(?!http:\/\/127\.0\.0\.1[:/]).*/, (route) => route.abort());
    const results: BrowserResult[] = [];
    for (const nb of present) {
      await options.before?.(nb);
      console.log(`▶ browser: ${nb}`);
      const r = await checkNotebook(context, base, token, nb);
      console.log(`${r.status === "passed" ? "✔ passed" : "✘ failed"}  browser: ${nb}  ${r.seconds.toFixed(1)} s  ${r.images} images/charts  screenshot ${path.relative(REPO_ROOT, r.screenshot)}` +
        (r.error ? `\n${r.error.replace(/^/gm, "    ")}` : ""));
      results.push(r);
    }
    return results;
  } finally {
    await context.close();
    stopJupyter(child);
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  browserCheck(args.length ? args : BROWSER_NOTEBOOKS)
    .then((results) => {
      addBrowserSection(results);
      const failed = results.filter((r) => r.status === "failed").length;
      console.log(`${results.length - failed} passed, ${failed} failed`);
      process.exitCode = failed ? 1 : 0;
    })
    .catch((err: unknown) => {
      console.error((err as Error).message);
      process.exitCode = 1;
    });
}
