// `npm start`: opens the course in JupyterLab when it is installed, otherwise in classic Notebook,
// with the project's tslab kernel first on JUPYTER_PATH. Extra arguments go to Jupyter.
import { spawn } from "node:child_process";
import { installKernel } from "./install-kernel";
import { findJupyter, INSTALL_HINT } from "./jupyter";
import { jupyterEnv, REPO_ROOT } from "./paths";

installKernel(); // cheap, and repairs the kernelspec if the repo was moved after npm install
const app = findJupyter("lab") ? "lab" : findJupyter("notebook") ? "notebook" : undefined;
if (!app) {
  console.error(`Jupyter was not found. ${INSTALL_HINT} Then run npm start again.`);
  process.exit(1);
}
const jupyter = findJupyter(app)!;
console.log(`Starting Jupyter ${app === "lab" ? "Lab" : "Notebook"}: learner notebooks are in notebooks/, instructor copies in solutions/.`);
const child = spawn(jupyter.command, [...jupyter.prefix, app, `--notebook-dir=${REPO_ROOT}`, ...process.argv.slice(2)], {
  env: jupyterEnv(),
  stdio: "inherit",
});
child.on("exit", (code) => process.exit(code ?? 0));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
