// Gradient kernels that stock @tensorflow/tfjs-backend-wasm 4.22 lacks. Files are named in full:
// tslab compiles lib/ itself and cannot resolve directory imports.
import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropFilterConfig } from "./conv2d_backprop_filter";

const WASM_GRADIENT_KERNELS: readonly tf.KernelConfig[] = [conv2dBackpropFilterConfig];

/**
 * Registers the missing wasm gradient kernels. Idempotent: tfjs warns on (and overwrites) a
 * duplicate registration, and a kernel a future tfjs-backend-wasm ships itself is kept.
 */
export function registerWasmGradientKernels(): void {
  for (const config of WASM_GRADIENT_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
}
