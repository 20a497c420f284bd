// The one place that decides which TensorFlow.js backend the course runs on.
// Everything tensor-shaped in lib/ and in the notebooks gets `tf` from here, so a
// notebook never has to know whether it is on a GPU, native CPU or WebAssembly.
import * as tf from "@tensorflow/tfjs";
import { execFileSync } from "node:child_process";
import { registerWasmGradientKernels } from "./kernels/register";

export { tf };

export type BackendChoice = "tfjs-node-gpu" | "tfjs-node" | "wasm" | "cpu";
export const BACKEND_ORDER: readonly BackendChoice[] = ["tfjs-node-gpu", "tfjs-node", "wasm", "cpu"];
export const BACKEND_ENV = "COURSE_BACKEND";
/** Set to 1 on GPU CI runners: anything but a GPU device is then an error, not a slow pass. */
export const REQUIRE_GPU_ENV = "COURSE_REQUIRE_GPU";

export interface BackendInfo {
  /** What was asked for or picked, e.g. "wasm". */
  choice: BackendChoice;
  /** tf.getBackend() after initialisation, e.g. "tensorflow" for tfjs-node. */
  tfBackend: string;
  /** Human-readable device, e.g. "GPU: NVIDIA T4" or "CPU, 1 thread, SIMD". */
  device: string;
  tfjsVersion: string;
  /** Why a preferred backend was skipped: shown in the banner so nothing falls back silently. */
  notes: string[];
  banner: string;
}

const INSTALL_HINTS: Record<BackendChoice, string> = {
  "tfjs-node-gpu": "On a Linux machine with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1: npm install @tensorflow/tfjs-node-gpu@4.22.0 (see README, Using a GPU).",
  "tfjs-node": "npm install @tensorflow/tfjs-node@4.22.0 (it downloads libtensorflow, so it needs internet access).",
  wasm: "Run npm install in the course folder.",
  cpu: "Run npm install in the course folder.",
};

let ready: Promise<BackendInfo> | undefined;

/**
 * Picks and initialises the backend once per process (tfjs-node-gpu → tfjs-node → wasm → cpu,
 * or the one named by COURSE_BACKEND) and prints a one-line banner. Safe to call from every
 * notebook cell and library function: later calls return the first result.
 */
export function initBackend(options: { quiet?: boolean; backend?: BackendChoice } = {}): Promise<BackendInfo> {
  if (!ready) {
    ready = selectBackend(options.backend ?? parseBackendEnv(process.env[BACKEND_ENV])).then((info) => {
      if (!options.quiet) console.log(info.banner);
      return info;
    });
    // A failed initialisation must not be cached: the learner fixes the cause and calls again.
    ready.catch(() => (ready = undefined));
  }
  return ready;
}

export function parseBackendEnv(value: string | undefined): BackendChoice | undefined {
  if (value === undefined || value.trim() === "" || value === "auto") return undefined;
  const v = value.trim() as BackendChoice;
  if (!BACKEND_ORDER.includes(v)) {
    throw new Error(
      `${BACKEND_ENV}=${value} is not a backend this course knows. Use one of: ${BACKEND_ORDER.join(", ")} ` +
        `(or unset it to pick automatically).`,
    );
  }
  return v;
}

async function selectBackend(forced: BackendChoice | undefined): Promise<BackendInfo> {
  tf.enableProdMode(); // silences tfjs's "install tfjs-node for speed" advice; the banner says what runs.
  const notes: string[] = [];
  const candidates = forced ? [forced] : BACKEND_ORDER;
  for (const choice of candidates) {
    try {
      const device = await activate(choice, notes);
      if (device === undefined) {
        if (forced) throw new Error(`${BACKEND_ENV}=${forced}, but @tensorflow/${forced} is not installed. ${INSTALL_HINTS[forced]}`);
        continue;
      }
      const info: BackendInfo = {
        choice,
        tfBackend: tf.getBackend(),
        device,
        tfjsVersion: tf.version.tfjs,
        notes,
        banner: "",
      };
      info.banner =
        `TensorFlow.js ${info.tfjsVersion} · backend: ${choice} (${info.tfBackend}) · device: ${device}` +
        (notes.length ? ` · note: ${notes.join("; ")}` : "");
      if (process.env[REQUIRE_GPU_ENV] === "1" && !device.startsWith("GPU")) {
        throw new Error(`${REQUIRE_GPU_ENV}=1 but the backend is not on a GPU: ${info.banner}`);
      }
      return info;
    } catch (err) {
      if ((err as Error).message.startsWith(REQUIRE_GPU_ENV)) throw err;
      if (forced) {
        const message = (err as Error).message;
        if (message.startsWith(BACKEND_ENV)) throw err;
        throw new Error(`${BACKEND_ENV}=${forced} was requested but could not start: ${message}. Unset ${BACKEND_ENV} to fall back automatically.`);
      }
      notes.push(`${choice} unavailable (${firstLine((err as Error).message)})`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start: ${notes.join("; ")}`);
}

/** Returns the device description, or undefined when the package is simply not installed. */
async function activate(choice: BackendChoice, notes: string[]): Promise<string | undefined> {
  switch (choice) {
    case "tfjs-node-gpu": {
      if (!isInstalled("@tensorflow/tfjs-node-gpu")) return undefined;
      require("@tensorflow/tfjs-node-gpu");
      await tf.setBackend("tensorflow");
      const gpus = nvidiaGpuNames();
      if (gpus.length === 0) {
        // libtensorflow-gpu runs its CPU kernels when no CUDA device is usable: say so loudly.
        notes.push("tfjs-node-gpu is installed but no usable NVIDIA GPU was found (nvidia-smi), running its CPU kernels");
        return "CPU (no GPU visible)";
      }
      return `GPU: ${gpus.join(", ")}`;
    }
    case "tfjs-node": {
      if (!isInstalled("@tensorflow/tfjs-node")) return undefined;
      require("@tensorflow/tfjs-node");
      await tf.setBackend("tensorflow");
      return "CPU (native libtensorflow)";
    }
    case "wasm": {
      require("@tensorflow/tfjs-backend-wasm");
      if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend failed to initialise");
      registerWasmGradientKernels();
      const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
      // Node has no wasm threads for tfjs (no worker path), so it is always one thread here.
      return `CPU, WebAssembly${simd ? " SIMD" : ""}, 1 thread`;
    }
    case "cpu": {
      if (!(await tf.setBackend("cpu"))) throw new Error("the cpu backend failed to initialise");
      return "CPU, plain JavaScript (slow: conv nets take hours)";
    }
  }
}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function nvidiaGpuNames(): string[] {
  try {
    const out = execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], {
      encoding: "utf8",
      timeout: 10_000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.split("\n").map((s) => s.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0].slice(0, 160);
}
