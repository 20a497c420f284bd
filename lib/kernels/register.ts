// Gradient kernels for @tensorflow/tfjs-backend-wasm 4.22: one it lacks (Conv2DBackpropFilter)
// and faster replacements for stock ones that dominate a training step. Files are named in full:
// tslab compiles lib/ itself and cannot resolve directory imports.
import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropFilterConfig } from "./conv2d_backprop_filter";
import { conv2dBackpropInputReplacement } from "./conv2d_backprop_input";
import { batchMatMulReplacement } from "./batch_mat_mul";
import { maxPoolGradReplacement } from "./max_pool_grad";
import { replacementConfig, type KernelReplacement } from "./replacement";

const WASM_GRADIENT_KERNELS: readonly tf.KernelConfig[] = [conv2dBackpropFilterConfig];
export const WASM_KERNEL_REPLACEMENTS: readonly KernelReplacement[] = [conv2dBackpropInputReplacement, batchMatMulReplacement, maxPoolGradReplacement];

/** Our installed replacement configs and the stock kernels they wrap, by kernel name. */
const installed = new Map<string, tf.KernelConfig>();
const stock = new Map<string, tf.KernelConfig>();

/**
 * Registers the missing wasm gradient kernels and swaps in the faster replacements. Idempotent:
 * a missing kernel that is already registered (e.g. shipped by a future tfjs-backend-wasm) is
 * kept, and a replacement is installed once over the stock kernel it wraps.
 */
export function registerWasmGradientKernels(): void {
  for (const config of WASM_GRADIENT_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  for (const replacement of WASM_KERNEL_REPLACEMENTS) {
    const current = tf.getKernel(replacement.kernelName, "wasm");
    if (current === undefined || current === installed.get(replacement.kernelName)) continue;
    const config = replacementConfig(replacement, current);
    tf.unregisterKernel(replacement.kernelName, "wasm");
    tf.registerKernel(config);
    installed.set(replacement.kernelName, config);
    stock.set(replacement.kernelName, current);
  }
}

/**
 * Puts the stock wasm kernels back (the benchmark's "before" column; also a quick way to rule a
 * replacement in or out when a result looks wrong). registerWasmGradientKernels() reinstalls them.
 */
export function restoreStockWasmKernels(): void {
  for (const [name, config] of stock) {
    if (tf.getKernel(name, "wasm") !== installed.get(name)) continue;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(config);
  }
}
