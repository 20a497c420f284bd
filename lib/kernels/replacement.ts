// A replacement kernel wraps the stock wasm kernel it replaces: it takes the fast path where it
// has been checked against the cpu backend (test/kernels*.test.ts) and hands every other case
// to the stock kernel, so an uncovered case is slow, never wrong.
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

export type KernelArgs = Parameters<tf.KernelFunc>[0];
export type KernelResult = tf.TensorInfo | tf.Tensor;

export interface KernelReplacement {
  kernelName: string;
  /** Returns the fast result, or undefined to let the stock kernel run. */
  fast: (args: KernelArgs, stock: tf.KernelFunc) => KernelResult | undefined;
}

/** The replacement as a kernel config; keeps the stock setupFunc (it binds the wasm function the fallback calls). */
export function replacementConfig(replacement: KernelReplacement, stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: replacement.kernelName,
    backendName: "wasm",
    setupFunc: stock.setupFunc,
    // The engine takes a returned Tensor as is (it has `rank`), so tf ops can build the result.
    kernelFunc: ((args: KernelArgs) => replacement.fast(args, stock.kernelFunc) ?? stock.kernelFunc(args)) as tf.KernelFunc,
  };
}

/** Zero-copy Float32Array view of a float32 tensor on the wasm heap. */
export function heapF32(backend: unknown, info: tf.TensorInfo): Float32Array {
  return (backend as BackendWasm).typedArrayFromHeap(info) as Float32Array;
}

export function makeOutput(backend: unknown, shape: number[]): tf.TensorInfo {
  return (backend as BackendWasm).makeOutput(shape, "float32");
}
