// Conv2DBackpropInput (the gradient of a conv2d with respect to its input) for the wasm backend.
// Stock wasm runs it as a plain scalar loop: 28–36 % of a conv net's training step.
//
// At stride 1 the input gradient is a "full" correlation of dy with the filter rotated by 180°
// and its in/out channels swapped, i.e. one more XNNPACK conv2d:
//   dx[i] = Σ_k dy[i + top − k] · W[k]  =  conv2d(pad(dy, kh−1−top … ), reverse(W)ᵀ)[i]
// Strided convs and paddings larger than the kernel go to the stock kernel.
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs, KernelReplacement } from "./replacement";

function fast({ inputs, attrs }: KernelArgs): tf.Tensor4D | undefined {
  const { dy, filter } = inputs as tf.Conv2DBackpropInputInputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (dataFormat !== "NHWC" || !(dy instanceof tf.Tensor) || !(filter instanceof tf.Tensor) || dy.dtype !== "float32") return undefined;
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return undefined;
  const [, outH, outW] = dy.shape;
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth } = info;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = inHeight - outH - top + kh - 1;
  const right = inWidth - outW - left + kw - 1;
  if (Math.min(top, left, bottom, right) < 0) return undefined;
  return tf.tidy(() => {
    const flipped = tf.transpose(tf.reverse(filter as tf.Tensor4D, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const padding = [[0, 0], [top, bottom], [left, right], [0, 0]] as tf.backend_util.ExplicitPadding;
    return tf.conv2d(dy as tf.Tensor4D, flipped, 1, padding, "NHWC");
  });
}

export const conv2dBackpropInputReplacement: KernelReplacement = { kernelName: tf.Conv2DBackpropInput, fast };
