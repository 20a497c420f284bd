// The three models the benchmark trains, each with the arithmetic one training step costs, so
// ms/step can be turned into GFLOP/s. The models themselves come from lib/models.
import { tf } from "../lib/tf";
import { basicNN } from "../lib/models/basic_nn";
import { simpleCNN } from "../lib/models/simple_cnn";
import { cifar10CNN } from "../lib/models/cifar10_cnn";

export type ModelName = "BasicNN" | "SimpleCNN" | "CIFAR10CNN";
export const MODEL_NAMES: readonly ModelName[] = ["BasicNN", "SimpleCNN", "CIFAR10CNN"];

export interface BenchModel {
  name: ModelName;
  build: (seed: number) => tf.LayersModel;
  /** [height, width, channels] of one image. */
  input: [number, number, number];
}

export const BENCH_MODELS: Record<ModelName, BenchModel> = {
  BasicNN: { name: "BasicNN", build: (seed) => basicNN({ seed }), input: [28, 28, 1] },
  SimpleCNN: { name: "SimpleCNN", build: (seed) => simpleCNN({ seed }), input: [28, 28, 1] },
  CIFAR10CNN: { name: "CIFAR10CNN", build: (seed) => cifar10CNN({ seed }), input: [32, 32, 3] },
};

/**
 * Multiply-adds ×2 of the forward pass over conv and dense layers, ×3 for a training step
 * (forward, input gradient, weight gradient), the usual convention; pooling and elementwise ops
 * are left out. SimpleCNN at batch 64: 468 M, as in /work/shared/notes/cpu-training.md.
 */
export function trainStepFlops(model: tf.LayersModel, batch: number): number {
  let forward = 0;
  for (const layer of model.layers) {
    const out = layer.outputShape as number[];
    const kernel = layer.getWeights()[0];
    if (!kernel) continue;
    const cls = layer.getClassName();
    if (cls === "Conv2D") {
      const [kh, kw, cin, cout] = kernel.shape;
      forward += 2 * out[1] * out[2] * kh * kw * cin * cout;
    } else if (cls === "Dense") {
      const [inputs, units] = kernel.shape;
      forward += 2 * inputs * units;
    }
  }
  return 3 * forward * batch;
}
