import { tf } from "../tf";
import { torchInit } from "./torch_init";

export interface Cifar10CNNOptions {
  /** Seeds every layer's initialiser, so two models built with one seed start identical. */
  seed?: number;
  /**
   * Dropout rate on the inputs of both dense layers (the 2048 flattened features and the 256
   * hidden units), where almost all the parameters are: the overfitting treatment of §24.3.
   * 0 (the default) builds exactly the guide's model, with no dropout layers at all.
   */
  dropout?: number;
}

/**
 * The guide's CIFAR10CNN (§17.2): three blocks of 3×3 "same" conv → ReLU → 2×2 max-pool
 * (3→32→64→128 channels, 32→16→8→4 pixels), flatten 4·4·128 = 2048 → 256 → ReLU → 10 logits.
 * 620,362 parameters, like the PyTorch model; initialised the PyTorch way (torch_init.ts).
 */
export function cifar10CNN(options: Cifar10CNNOptions = {}): tf.Sequential {
  const { seed = 42, dropout = 0 } = options;
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`cifar10CNN: dropout must be in [0, 1), got ${dropout}.`);
  const s = (i: number) => seed + 1000 * i;
  const block = (index: number, inChannels: number, filters: number, first: boolean): tf.layers.Layer[] => [
    tf.layers.conv2d({
      ...(first ? { inputShape: [32, 32, 3] } : {}),
      filters,
      kernelSize: 3,
      padding: "same",
      activation: "relu",
      name: `conv${index}`,
      ...torchInit(3 * 3 * inChannels, s(index)),
    }),
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${index}` }),
  ];
  const drop = (index: number): tf.layers.Layer[] =>
    dropout > 0 ? [tf.layers.dropout({ rate: dropout, seed: s(10 + index), name: `dropout${index}` })] : [];
  return tf.sequential({
    name: "CIFAR10CNN",
    layers: [
      ...block(1, 3, 32, true),
      ...block(2, 32, 64, false),
      ...block(3, 64, 128, false),
      tf.layers.flatten({ name: "flatten" }),
      ...drop(1),
      tf.layers.dense({ units: 256, activation: "relu", name: "fc1", ...torchInit(2048, s(4)) }),
      ...drop(2),
      tf.layers.dense({ units: 10, name: "logits", ...torchInit(256, s(5)) }),
    ],
  });
}
