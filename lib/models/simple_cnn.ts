import { tf } from "../tf";
import { torchInit } from "./torch_init";

/**
 * The guide's SimpleCNN (§13): two conv(3×3, same) → ReLU → maxpool(2) blocks (16 then 32
 * filters), flatten, dense 128 + ReLU, dense 10 class scores (logits, no softmax: the loss applies
 * it). On 28×28×1 input: 7·7·32 = 1568 features reach fc1; 206,922 parameters like the PyTorch model.
 */
export function simpleCNN(options: { seed?: number; inputShape?: [number, number, number] } = {}): tf.Sequential {
  const { seed = 42, inputShape = [28, 28, 1] } = options;
  const [height, width, channels] = inputShape;
  if (height % 4 !== 0 || width % 4 !== 0) {
    throw new Error(`simpleCNN: inputShape ${JSON.stringify(inputShape)} must have height and width divisible by 4 (two 2×2 poolings)`);
  }
  const flatFeatures = (height / 4) * (width / 4) * 32;
  const s = (i: number) => seed + 1000 * i;
  return tf.sequential({
    name: "SimpleCNN",
    layers: [
      tf.layers.conv2d({ inputShape, filters: 16, kernelSize: 3, padding: "same", activation: "relu", name: "conv1", ...torchInit(3 * 3 * channels, s(1)) }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: "pool1" }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu", name: "conv2", ...torchInit(3 * 3 * 16, s(2)) }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: "pool2" }),
      tf.layers.flatten({ name: "flatten" }),
      tf.layers.dense({ units: 128, activation: "relu", name: "fc1", ...torchInit(flatFeatures, s(3)) }),
      tf.layers.dense({ units: 10, name: "logits", ...torchInit(128, s(4)) }),
    ],
  });
}
