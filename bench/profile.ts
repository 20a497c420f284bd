// Where a training step's time goes, kernel by kernel (tf.profile's per-kernel wall time on the
// synchronous wasm backend). `npm run bench -- --profile` prints it.
import { tf } from "../lib/tf";
import { trainStep } from "../lib/train/loop";
import { makeBatch } from "../lib/data/batches";
import type { ImageSet } from "../lib/data/types";
import type { BenchModel } from "./models";

export function syntheticSet(input: [number, number, number], count: number, seed: number): ImageSet {
  const [height, width, channels] = input;
  let state = seed >>> 0;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24);
  const images = new Uint8Array(count * height * width * channels).map(next);
  const labels = new Uint8Array(count).map(() => next() % 10);
  return { images, labels, count, height, width, channels, classNames: Array.from({ length: 10 }, (_, i) => String(i)) };
}

export interface KernelShare {
  kernel: string;
  ms: number;
  calls: number;
}

/** Mean per-step milliseconds by kernel over `steps` profiled steps (after 2 warm-up steps). */
export async function profileTrainStep(spec: BenchModel, batch: number, steps: number): Promise<{ stepMs: number; kernels: KernelShare[] }> {
  const model = spec.build(1);
  const optimizer = tf.train.adam(0.001);
  const data = syntheticSet(spec.input, batch, 7);
  const indices = Int32Array.from({ length: batch }, (_, i) => i);
  const step = () =>
    tf.tidy(() => {
      const { x, y } = makeBatch(data, indices);
      const r = trainStep(model, optimizer, x, y);
      r.loss.dataSync();
    });
  step();
  step();
  const totals = new Map<string, KernelShare>();
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    const info = await tf.profile(step);
    for (const k of info.kernels) {
      const share = totals.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
      share.ms += (k.kernelTimeMs as number) / steps;
      share.calls += 1 / steps;
      totals.set(k.name, share);
    }
  }
  const stepMs = (performance.now() - started) / steps;
  model.dispose();
  optimizer.dispose();
  return { stepMs, kernels: [...totals.values()].sort((a, b) => b.ms - a.ms) };
}
