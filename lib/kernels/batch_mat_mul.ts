// BatchMatMul with transposeA/transposeB, as a dense layer's backward pass asks for
// (dW = xᵀ·dy, dx = dy·Wᵀ): stock wasm is 6–8× slower with a transpose flag than without, so
// the operand is transposed explicitly (a cheap copy) and the stock kernel runs untransposed.
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs, KernelReplacement } from "./replacement";

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}

function fast(args: KernelArgs, stock: tf.KernelFunc): tf.Tensor | undefined {
  const { a, b } = args.inputs as tf.BatchMatMulInputs;
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if (!transposeA && !transposeB) return undefined;
  if (!(a instanceof tf.Tensor) || !(b instanceof tf.Tensor)) return undefined;
  return tf.tidy(() => {
    const inputs = { a: transposeA ? swapLastTwo(a) : a, b: transposeB ? swapLastTwo(b) : b };
    const out = stock({ ...args, inputs, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as tf.TensorInfo;
    return tf.engine().makeTensorFromTensorInfo(out);
  });
}

export const batchMatMulReplacement: KernelReplacement = { kernelName: tf.BatchMatMul, fast };
