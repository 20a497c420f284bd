// PyTorch's default initialisation for Linear and Conv2d layers, so our models start where the
// guide's PyTorch models start: weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
// (Kaiming-uniform with a = sqrt(5) reduces to exactly that bound.) Keras's default is Glorot.
import { tf } from "../tf";

type Initializer = ReturnType<typeof tf.initializers.varianceScaling>;

export interface TorchInit {
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
}

/** fanIn = inputs per output unit: in_features for Dense, kh·kw·in_channels for Conv2D. */
export function torchInit(fanIn: number, seed?: number): TorchInit {
  const bound = 1 / Math.sqrt(fanIn);
  return {
    // variance scaling with scale 1/3, uniform: limit = sqrt(3·scale/fanIn) = 1/sqrt(fanIn).
    kernelInitializer: tf.initializers.varianceScaling({ scale: 1 / 3, mode: "fanIn", distribution: "uniform", seed }),
    biasInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: seed === undefined ? undefined : seed + 7919 }),
  };
}
