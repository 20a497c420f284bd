import { spawnSync } from "node:child_process";
import { jupyterEnv } from "./paths";

/** A way to run Jupyter: the command and the arguments that come before the subcommand. */
export interface JupyterCommand {
  command: string;
  prefix: string[];
}

// `jupyter` on PATH first (a user's venv or pip install), then Debian's python, whose packages
// (jupyter-notebook, python3-nbclient) are invisible to a pyenv python3 that may shadow it.
const CANDIDATES: JupyterCommand[] = [
  { command: "jupyter", prefix: [] },
  { command: "/usr/bin/python3", prefix: ["-m", "jupyter"] },
  { command: "python3", prefix: ["-m", "jupyter"] },
];

function works(c: JupyterCommand, args: string[]): boolean {
  const r = spawnSync(c.command, [...c.prefix, ...args], { env: jupyterEnv(), stdio: "ignore", timeout: 30_000 });
  return r.status === 0;
}

/** The first Jupyter that has `subcommand` (e.g. "lab", "notebook", "nbconvert"), or undefined. */
export function findJupyter(subcommand: string): JupyterCommand | undefined {
  return CANDIDATES.find((c) => works(c, [subcommand, "--version"]));
}

export const INSTALL_HINT =
  "Install Jupyter for Python 3: `pip install jupyterlab`, or on Debian/Ubuntu " +
  "`sudo apt install jupyter-notebook jupyter-nbconvert python3-nbclient`.";

const PYTHONS = [process.env.JUPYTER_PYTHON, "python3", "/usr/bin/python3"].filter((p): p is string => !!p);
let nbclientPython: string | undefined;

/**
 * The first Python that can import nbclient (JUPYTER_PYTHON, then python3 on PATH, then Debian's):
 * a pyenv or venv python3 on PATH often lacks the Jupyter packages that the system one has.
 */
export function findNbclientPython(): string {
  nbclientPython ??= PYTHONS.find((p) => spawnSync(p, ["-c", "import nbclient"], { stdio: "ignore", timeout: 30_000 }).status === 0);
  if (!nbclientPython) throw new Error(`No Python with nbclient found (tried ${PYTHONS.join(", ")}). ${INSTALL_HINT} Or set JUPYTER_PYTHON to one that has it.`);
  return nbclientPython;
}
