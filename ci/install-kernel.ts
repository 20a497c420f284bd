// Runs on `npm install`: registers the tslab kernel for this project only. The kernelspec lives in
// .jupyter/ inside the repo (npm start and the runner put it first on JUPYTER_PATH), so nothing is
// written to the user's or the system's Jupyter folders and no Python is needed at install time.
import * as fs from "node:fs";
import * as path from "node:path";
import { JUPYTER_DIR, KERNEL_NAME, REPO_ROOT } from "./paths";

export function kernelSpec(): object {
  return {
    // Absolute node + tslab paths: the kernel starts the project's pinned tslab whatever is on PATH.
    argv: [process.execPath, path.join(REPO_ROOT, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (course)",
    language: "typescript",
  };
}

export function installKernel(): string {
  const dir = path.join(JUPYTER_DIR, "kernels", KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "kernel.json");
  fs.writeFileSync(file, JSON.stringify(kernelSpec(), null, 2) + "\n");
  return file;
}

if (require.main === module) {
  const file = installKernel();
  console.log(`tslab kernel registered for this project: ${path.relative(REPO_ROOT, file)} (used by npm start and npm test)`);
}
