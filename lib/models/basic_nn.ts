import { tf } from "../tf";
import { torchInit } from "./torch_init";

/**
 * The guide's BasicNN (§6): flatten 28×28 → 128 → ReLU → 64 → ReLU → 10 class scores (logits,
 * no softmax: the loss applies it). 109,386 parameters, like the PyTorch model.
 */
export function basicNN(options: { seed?: number; inputShape?: [number, number, number] } = {}): tf.Sequential {
  const { seed = 42, inputShape = [28, 28, 1] } = options;
  const inputs = inputShape[0] * inputShape[1] * inputShape[2];
  const s = (i: number) => seed + 1000 * i;
  return tf.sequential({
    name: "BasicNN",
    layers: [
      tf.layers.flatten({ inputShape, name: "flatten" }),
      tf.layers.dense({ units: 128, activation: "relu", name: "fc1", ...torchInit(inputs, s(1)) }),
      tf.layers.dense({ units: 64, activation: "relu", name: "fc2", ...torchInit(128, s(2)) }),
      tf.layers.dense({ units: 10, name: "logits", ...torchInit(64, s(3)) }),
    ],
  });
}
