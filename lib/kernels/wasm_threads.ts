// Multi-threaded wasm backend under Node. tfjs-backend-wasm 4.22 switches threads off in Node
// (WASM_HAS_MULTITHREAD_SUPPORT is false there; tfjs issue #3830) because it hands Emscripten's
// pthread workers Blob URLs, which Node's Worker cannot load. The threaded SIMD build itself runs
// fine in Node once its worker script is a real file and its main script a path. XNNPACK then
// spreads conv/matmul over the pool; tfjs's own loops stay single-threaded.
//
// The pool size is fixed when the module starts: tfjs's C++ takes
// min(max(logical cores / 2, 1), 4) threads from emscripten_num_logical_cores(), which Node
// answers with os.cpus().length. So os.cpus is made to report 2·threads while the module starts.
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const WASM_PRIORITY = 2; // tfjs-backend-wasm's own registration priority

interface ThreadedModule {
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => number;
  tfjs?: Record<string, unknown>;
}

/**
 * Makes the next `tf.setBackend("wasm")` (or initBackend) start the threaded SIMD build with
 * `threads` XNNPACK threads (1–4). Call it before the wasm backend is first initialised; it
 * throws afterwards rather than silently changing nothing.
 */
export function useWasmThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 4) throw new Error(`useWasmThreads: threads must be an integer in 1..4, got ${threads}.`);
  if (tf.findBackend("wasm") !== null) {
    throw new Error("useWasmThreads must run before the wasm backend starts (before initBackend / tf.setBackend('wasm')); restart the kernel.");
  }
  tf.removeBackend("wasm");
  tf.registerBackend("wasm", () => startThreaded(threads), WASM_PRIORITY);
}

async function startThreaded(threads: number): Promise<wasm.BackendWasm> {
  const dir = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js"));
  const mainScript = path.join(dir, "tfjs-backend-wasm-threaded-simd.js");
  // The package ships the worker script as a JS string; tfjs escapes its newlines the same way.
  const { wasmWorkerContents } = require(path.join(dir, "tfjs-backend-wasm-threaded-simd.worker.js")) as { wasmWorkerContents: string };
  const workerScript = path.join(os.tmpdir(), `tfjs-wasm-threaded-worker-${tf.version_core}.js`);
  fs.writeFileSync(workerScript, wasmWorkerContents.replace(/\n/g, "\\n"));
  const factory = require(mainScript) as (config: object) => Promise<ThreadedModule>;
  // The module Emscripten's require("os") returns: a namespace import is read-only.
  const nodeOs = require("os") as { cpus: typeof os.cpus };
  const realCpus = nodeOs.cpus;
  nodeOs.cpus = () => Array.from({ length: 2 * threads }, () => realCpus()[0]);
  let module: ThreadedModule;
  try {
    module = await factory({
      locateFile: (file: string) => (file.endsWith(".worker.js") ? workerScript : path.join(dir, file)),
      mainScriptUrlOrBlob: mainScript,
    });
  } finally {
    nodeOs.cpus = realCpus;
  }
  // The same bridge tfjs-backend-wasm's own init() builds.
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
  wasm.setThreadsCount(threads);
  return new wasm.BackendWasm(module as unknown as ConstructorParameters<typeof wasm.BackendWasm>[0]);
}

/** XNNPACK threads of the running wasm backend (1 for the stock build). */
export function wasmThreadsCount(): number {
  return wasm.getThreadsCount();
}
