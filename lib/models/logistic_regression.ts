import { tf } from "../tf";
import { torchInit } from "./torch_init";

/**
 * Multinomial logistic regression (§23.1) on raw pixels: flatten → one dense layer → 10 class
 * scores (logits; the loss applies softmax). BasicNN without its hidden layers: 7,850 parameters
 * on MNIST, one weight per pixel and class, so each class's weights can be looked at as an image.
 */
export function logisticRegression(options: { seed?: number; inputShape?: [number, number, number]; classes?: number } = {}): tf.Sequential {
  const { seed = 42, inputShape = [28, 28, 1], classes = 10 } = options;
  const inputs = inputShape[0] * inputShape[1] * inputShape[2];
  return tf.sequential({
    name: "LogisticRegression",
    layers: [
      tf.layers.flatten({ inputShape, name: "flatten" }),
      tf.layers.dense({ units: classes, name: "logits", ...torchInit(inputs, seed) }),
    ],
  });
}
