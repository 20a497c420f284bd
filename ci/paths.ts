import * as path from "node:path";

/** Repository root, whatever the current directory (npm scripts, tests, the runner). */
export const REPO_ROOT = path.resolve(__dirname, "..");
/** Project-local Jupyter data dir: holds the tslab kernelspec; goes first on JUPYTER_PATH. */
export const JUPYTER_DIR = path.join(REPO_ROOT, ".jupyter");
export const KERNEL_NAME = "tslab";
export const OUT_DIR = path.join(REPO_ROOT, "ci", "out");

/** Environment for any Jupyter process we start: finds our kernel before any global one. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const inherited = base.JUPYTER_PATH ? [base.JUPYTER_PATH] : [];
  return {
    ...base,
    JUPYTER_PATH: [JUPYTER_DIR, ...inherited].join(path.delimiter),
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
}
