// The wasm Conv2DBackpropFilter kernel (lib/kernels) against tfjs's cpu backend, the reference
// implementation, on fresh random data each run. Gradients go through tf.grad of the public ops,
// i.e. the path training takes, so attribute plumbing is tested too, not just the kernel body.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { registerWasmGradientKernels } from "../lib/kernels/register";
import { conv2dBackpropFilterConfig } from "../lib/kernels/conv2d_backprop_filter";
import { maxRelativeError } from "./support/numeric";

type Backend = "cpu" | "wasm";
type Shape4 = [number, number, number, number];
type Pad = "same" | "valid" | number | tf.backend_util.ExplicitPadding;
type Rounding = "floor" | "round" | "ceil";

const TOLERANCE = 1e-4;
let maxErrorSeen = 0;

before(async () => {
  // Forced, so a machine with tfjs-node installed still tests the wasm kernels.
  await initBackend({ quiet: true, backend: "wasm" });
});

function randomData(shape: number[]): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape).dataSync() as Float32Array);
}

/** max |actual − expected| / max |expected|; records the worst value for the summary line. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  const err = maxRelativeError(actual, expected);
  maxErrorSeen = Math.max(maxErrorSeen, err);
  return err;
}

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
  rounding?: Rounding;
}

function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === "object" ? JSON.stringify(c.pad.slice(1, 3)) : String(c.pad);
  return `x ${c.x} · filter ${c.filter} · strides ${c.strides} · pad ${pad}${c.rounding ? ` · ${c.rounding}` : ""}`;
}

/** dL/dfilter of L = Σ conv2d(x, filter) ⊙ dy, computed on `backend` with tf.grad. */
async function conv2dFilterGrad(backend: Backend, c: ConvCase, data: { x: Float32Array; filter: Float32Array; dy: Float32Array }, dyShape: number[]): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(data.x, c.x);
    const dy = tf.tensor(data.dy, dyShape);
    const grad = tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, c.strides, c.pad, "NHWC", 1, c.rounding).mul(dy).sum());
    return grad(tf.tensor4d(data.filter, c.filter)).dataSync() as Float32Array;
  });
}

async function conv2dOutputShape(c: ConvCase): Promise<number[]> {
  await tf.setBackend("cpu");
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad, "NHWC", 1, c.rounding).shape);
}

async function assertMatchesCpu(c: ConvCase): Promise<void> {
  const dyShape = await conv2dOutputShape(c);
  const data = { x: randomData(c.x), filter: randomData(c.filter), dy: randomData(dyShape) };
  const expected = await conv2dFilterGrad("cpu", c, data, dyShape);
  const actual = await conv2dFilterGrad("wasm", c, data, dyShape);
  const err = relativeError(actual, expected);
  assert.ok(err <= TOLERANCE, `${describeCase(c)}: relative error ${err.toExponential(2)}`);
}

describe("wasm Conv2DBackpropFilter matches the cpu backend (gradient of tf.conv2d)", () => {
  const cases: ConvCase[] = [
    // 1×1 kernels (their own matMul path), with and without stride.
    { x: [1, 5, 5, 1], filter: [1, 1, 1, 1], strides: 1, pad: "valid" },
    { x: [2, 6, 6, 3], filter: [1, 1, 3, 16], strides: 2, pad: "same" },
    { x: [3, 7, 6, 16], filter: [1, 1, 16, 3], strides: [1, 2], pad: "valid" },
    // 3×3
    { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: "same" },
    { x: [3, 8, 8, 3], filter: [3, 3, 3, 16], strides: 1, pad: "valid" },
    { x: [1, 6, 6, 1], filter: [3, 3, 1, 16], strides: 1, pad: "same" },
    { x: [2, 9, 9, 16], filter: [3, 3, 16, 3], strides: 2, pad: "same" },
    { x: [2, 10, 10, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same" }, // odd total pad: 0 top, 1 bottom
    { x: [2, 8, 8, 16], filter: [3, 3, 16, 16], strides: 2, pad: "valid" }, // last input row unread
    { x: [1, 10, 10, 3], filter: [3, 3, 3, 4], strides: [1, 2], pad: "same" },
    { x: [2, 11, 10, 1], filter: [3, 3, 1, 3], strides: [2, 1], pad: "valid" },
    // 5×5
    { x: [2, 12, 12, 3], filter: [5, 5, 3, 4], strides: 1, pad: "same" },
    { x: [1, 13, 13, 3], filter: [5, 5, 3, 16], strides: 2, pad: "same" },
    { x: [2, 9, 8, 16], filter: [5, 5, 16, 1], strides: 2, pad: "valid" },
    // Non-square kernels.
    { x: [2, 8, 9, 3], filter: [1, 3, 3, 4], strides: 1, pad: "same" },
    { x: [2, 9, 8, 3], filter: [3, 2, 3, 4], strides: 2, pad: "valid" },
    // Numeric and explicit (asymmetric) padding.
    { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 1 },
    { x: [1, 7, 7, 16], filter: [5, 5, 16, 16], strides: 1, pad: 2 },
    { x: [2, 7, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
    { x: [2, 9, 6, 3], filter: [3, 3, 3, 5], strides: [2, 1], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
    { x: [2, 6, 6, 3], filter: [3, 3, 3, 4], strides: 2, pad: [[0, 0], [0, 0], [0, 0], [0, 0]] },
    // dimRoundingMode that does not change the output size (cpu's gradient is then exact too).
    { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 0, rounding: "ceil" },
    { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 1, rounding: "floor" },
  ];
  for (const c of cases) test(describeCase(c), () => assertMatchesCpu(c));
});

describe("wasm Conv2DBackpropFilter in other gradient paths", () => {
  // With 'ceil'/'round' the output can be larger than the truncated size, and conv2d's gradient
  // drops dimRoundingMode; the cpu kernel then silently ignores dy's last row/col. The right
  // reference is the cpu kernel told the rounding mode explicitly.
  const roundingCases: ConvCase[] = [
    { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 0, rounding: "ceil" },
    { x: [2, 8, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 1, rounding: "round" },
  ];
  for (const c of roundingCases) {
    test(`tf.conv2d gradient with output-enlarging rounding: ${describeCase(c)}`, async () => {
      const dyShape = await conv2dOutputShape(c);
      const data = { x: randomData(c.x), filter: randomData(c.filter), dy: randomData(dyShape) };
      await tf.setBackend("cpu");
      const expected = tf.tidy(() => {
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: "NHWC", dimRoundingMode: c.rounding, filterShape: c.filter };
        const inputs = { x: tf.tensor4d(data.x, c.x), dy: tf.tensor(data.dy, dyShape) };
        return (tf.engine().runKernel(tf.Conv2DBackpropFilter, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync() as Float32Array;
      });
      const actual = await conv2dFilterGrad("wasm", c, data, dyShape);
      const err = relativeError(actual, expected);
      assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)}`);
    });
  }

  // conv2dTranspose's filter gradient calls Conv2DBackpropFilter with x and dy swapped in role.
  const transposeCases: { x: Shape4; filter: Shape4; out: Shape4; strides: number; pad: "same" | "valid" }[] = [
    { x: [2, 4, 4, 16], filter: [3, 3, 3, 16], out: [2, 8, 8, 3], strides: 2, pad: "same" },
    { x: [1, 5, 5, 3], filter: [5, 5, 1, 3], out: [1, 9, 9, 1], strides: 1, pad: "valid" },
  ];
  for (const c of transposeCases) {
    test(`tf.conv2dTranspose gradient: x ${c.x} · filter ${c.filter} · strides ${c.strides} · ${c.pad}`, async () => {
      const data = { x: randomData(c.x), filter: randomData(c.filter), dy: randomData(c.out) };
      const gradOn = async (backend: Backend) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(data.x, c.x);
          const dy = tf.tensor4d(data.dy, c.out);
          const grad = tf.grad((f: tf.Tensor) => tf.conv2dTranspose(x, f as tf.Tensor4D, c.out, c.strides, c.pad).mul(dy).sum());
          return grad(tf.tensor4d(data.filter, c.filter)).dataSync() as Float32Array;
        });
      };
      const expected = await gradOn("cpu");
      const err = relativeError(await gradOn("wasm"), expected);
      assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)}`);
    });
  }
});

describe("wasm Conv2DBackpropFilter housekeeping", () => {
  test("leaves no tensors behind, directly or inside tf.tidy", async () => {
    await tf.setBackend("wasm");
    const x = tf.randomNormal([4, 9, 9, 3]) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, 3, 8]) as tf.Tensor4D;
    const dy = tf.randomNormal([4, 5, 5, 8]);
    const grad = tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, 2, "same").mul(dy).sum());
    const { numTensors, numDataBuffers } = tf.memory();
    // The callback returns nothing: tidy keeps whatever it returns.
    for (let i = 0; i < 25; i++) tf.tidy(() => void grad(filter));
    for (let i = 0; i < 25; i++) grad(filter).dispose();
    assert.equal(tf.memory().numTensors, numTensors);
    assert.equal(tf.memory().numDataBuffers, numDataBuffers);

    const dyFull = tf.randomNormal([4, 9, 9, 8]);
    const attrs = { strides: 1, pad: "valid", dataFormat: "NHWC", filterShape: [1, 1, 3, 8] };
    const direct = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dyFull }, attrs) as tf.Tensor;
    assert.equal(tf.memory().numTensors, numTensors + 2, "only dyFull and the result are new");
    tf.dispose([x, filter, dy, dyFull, direct]);
  });

  test("rejects NCHW with an explanation instead of computing a wrong answer", async () => {
    await tf.setBackend("wasm");
    tf.tidy(() => {
      const attrs = { strides: 1, pad: "same", dataFormat: "NCHW", filterShape: [3, 3, 2, 4] };
      const inputs = { x: tf.zeros([1, 2, 5, 5]), dy: tf.zeros([1, 4, 5, 5]) };
      assert.throws(() => tf.engine().runKernel(tf.Conv2DBackpropFilter, inputs, attrs), /supports dataFormat 'NHWC' only, got 'NCHW'/);
    });
  });

  test("registration is idempotent: an already registered kernel is kept, not replaced", () => {
    // tfjs only logs a duplicate registration (and prod mode silences that), so check the
    // outcome: with a stand-in registered, registering again must leave the stand-in in place.
    const standIn: tf.KernelConfig = { ...conv2dBackpropFilterConfig, kernelFunc: conv2dBackpropFilterConfig.kernelFunc.bind(null) };
    tf.unregisterKernel(tf.Conv2DBackpropFilter, "wasm");
    tf.registerKernel(standIn);
    try {
      registerWasmGradientKernels();
      registerWasmGradientKernels();
      assert.equal(tf.getKernel(tf.Conv2DBackpropFilter, "wasm"), standIn);
    } finally {
      tf.unregisterKernel(tf.Conv2DBackpropFilter, "wasm");
      registerWasmGradientKernels();
    }
    assert.equal(tf.getKernel(tf.Conv2DBackpropFilter, "wasm"), conv2dBackpropFilterConfig);
  });
});

test("a tiny conv net trains on wasm: the loss falls through the conv kernel alone", async () => {
  await tf.setBackend("wasm");
  // The dense layer is frozen and the conv has no bias, so any drop in loss must come from
  // updates driven by Conv2DBackpropFilter; a trainable dense layer could memorise 16 samples alone.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: "same", activation: "relu", useBias: false }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: "softmax", trainable: false }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.05), loss: "categoricalCrossentropy" });
  const xs = tf.randomNormal([16, 8, 8, 1]);
  const ys = tf.oneHot(tf.randomUniform([16], 0, 3, "int32") as tf.Tensor1D, 3);
  const losses: number[] = [];
  for (let step = 0; step < 40; step++) losses.push((await model.trainOnBatch(xs, ys)) as number);
  assert.ok(losses.every(Number.isFinite), `non-finite loss: ${losses}`);
  assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `loss ${losses[0].toFixed(3)} → ${losses[losses.length - 1].toFixed(3)}`);
  tf.dispose([xs, ys]);
  model.dispose();
});

test("summary: worst relative error vs cpu", () => {
  console.log(`# worst relative error wasm vs cpu: ${maxErrorSeen.toExponential(2)} (tolerance ${TOLERANCE})`);
  assert.ok(maxErrorSeen <= TOLERANCE);
});
