// The wasm replacement kernels (lib/kernels: Conv2DBackpropInput, BatchMatMul with transposes,
// MaxPoolGrad) against tfjs's cpu backend on fresh random data each run, through tf.grad of the
// public ops (the path training takes). Cases the fast paths do not cover (strides, big pads)
// are included: they must reach the stock kernel and still be right.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { WASM_KERNEL_REPLACEMENTS, registerWasmGradientKernels, restoreStockWasmKernels } from "../lib/kernels/register";
import { maxRelativeError } from "./support/numeric";

const TOLERANCE = 1e-4;
type Pad = "same" | "valid" | number | tf.backend_util.ExplicitPadding;

before(async () => {
  await initBackend({ quiet: true, backend: "wasm" });
});

function randomData(shape: number[]): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape).dataSync() as Float32Array);
}

/** Runs `f` on fresh copies of `data` on both backends and returns max |Δ| / max |cpu|. */
async function wasmVsCpu(data: { values: Float32Array; shape: number[] }[], f: (...xs: tf.Tensor[]) => tf.Tensor): Promise<number> {
  const run = async (backend: "cpu" | "wasm") => {
    await tf.setBackend(backend);
    return tf.tidy(() => f(...data.map((d) => tf.tensor(d.values, d.shape))).dataSync() as Float32Array);
  };
  const expected = await run("cpu");
  const actual = await run("wasm");
  return maxRelativeError(actual, expected);
}

const input = (shape: number[]) => ({ values: randomData(shape), shape });

describe("wasm Conv2DBackpropInput matches cpu (gradient of tf.conv2d w.r.t. x)", () => {
  type Shape4 = [number, number, number, number];
  const cases: { x: Shape4; filter: Shape4; strides: number | [number, number]; pad: Pad }[] = [
    { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: "same" },
    { x: [3, 8, 6, 16], filter: [3, 3, 16, 8], strides: 1, pad: "valid" },
    { x: [1, 6, 6, 1], filter: [1, 1, 1, 16], strides: 1, pad: "same" },
    { x: [2, 9, 9, 4], filter: [5, 5, 4, 3], strides: 1, pad: "same" },
    { x: [2, 8, 9, 3], filter: [2, 3, 3, 4], strides: 1, pad: "same" }, // even kernel: asymmetric pad
    { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
    { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: [[0, 0], [3, 0], [0, 0], [0, 0]] }, // pad ≥ kernel: stock
    { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same" }, // strided: stock
    { x: [1, 10, 9, 2], filter: [3, 3, 2, 2], strides: [1, 2], pad: "valid" }, // strided: stock
  ];
  for (const c of cases) {
    const pad = typeof c.pad === "object" ? JSON.stringify(c.pad.slice(1, 3)) : c.pad;
    test(`x ${c.x} · filter ${c.filter} · strides ${c.strides} · pad ${pad}`, async () => {
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.filter) as tf.Tensor4D, c.strides, c.pad).shape);
      const err = await wasmVsCpu([input(c.x), input(c.filter), input(outShape)], (x, w, dy) =>
        tf.grad((xx: tf.Tensor) => tf.conv2d(xx as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad).mul(dy).sum())(x),
      );
      assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)}`);
    });
  }
});

describe("wasm BatchMatMul matches cpu with every transpose combination", () => {
  const shapes: [number[], number[]][] = [
    [[5, 7], [7, 3]],
    [[64, 784], [784, 128]],
    [[3, 4, 6], [3, 6, 2]],
    [[1, 4, 6], [3, 6, 2]], // broadcast batch
  ];
  for (const [sa, sb] of shapes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      test(`a ${sa} · b ${sb} · transposeA ${ta} · transposeB ${tb}`, async () => {
        const flip = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : s);
        const err = await wasmVsCpu([input(flip(sa, ta)), input(flip(sb, tb))], (a, b) => tf.matMul(a, b, ta, tb));
        assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)}`);
      });
    }
  }
  test("a dense layer's gradients (the training path)", async () => {
    const err = await wasmVsCpu([input([16, 20]), input([20, 8]), input([16, 8])], (x, w, dy) => {
      const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.matMul(xx, ww).mul(dy).sum())([x, w]);
      return tf.concat([gx.flatten(), gw.flatten()]);
    });
    assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)}`);
  });
});

describe("wasm MaxPoolGrad matches cpu (gradient of tf.maxPool)", () => {
  const cases: { x: number[]; size: number | [number, number]; strides: number | [number, number]; pad: "same" | "valid" | number }[] = [
    { x: [2, 8, 8, 3], size: 2, strides: 2, pad: "valid" },
    { x: [2, 7, 7, 16], size: 2, strides: 2, pad: "valid" }, // odd size: last row unread
    { x: [1, 7, 9, 2], size: 2, strides: 2, pad: "same" },
    { x: [2, 9, 9, 3], size: 3, strides: 2, pad: "same" }, // overlapping windows
    { x: [2, 6, 6, 4], size: 3, strides: 1, pad: "valid" },
    { x: [1, 8, 8, 2], size: [2, 3], strides: [1, 2], pad: 1 },
  ];
  for (const c of cases) {
    test(`x ${c.x} · size ${c.size} · strides ${c.strides} · pad ${c.pad}`, async () => {
      const err = await wasmVsCpu([input(c.x)], (x) => {
        const dy = tf.randomNormal(tf.maxPool(x as tf.Tensor4D, c.size, c.strides, c.pad).shape, 0, 1, "float32", 5);
        return tf.grad((xx: tf.Tensor) => tf.maxPool(xx as tf.Tensor4D, c.size, c.strides, c.pad).mul(dy).sum())(x);
      });
      assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)}`);
    });
  }
  test("ties go to the first maximum in the window, as on cpu (ReLU outputs are full of zeros)", async () => {
    const x = { values: Float32Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => (i % 7 < 3 ? 0 : i % 5)), shape: [2, 6, 6, 3] };
    const err = await wasmVsCpu([x], (t) => {
      const dy = tf.randomNormal([2, 3, 3, 3], 0, 1, "float32", 9);
      return tf.grad((xx: tf.Tensor) => tf.maxPool(xx as tf.Tensor4D, 2, 2, "valid").mul(dy).sum())(t);
    });
    assert.equal(err, 0);
  });
});

describe("wasm replacement kernels: housekeeping", () => {
  test("are installed over the stock kernels and leave no tensors behind", async () => {
    await tf.setBackend("wasm");
    for (const r of WASM_KERNEL_REPLACEMENTS) assert.ok(tf.getKernel(r.kernelName, "wasm"), r.kernelName);
    const x = tf.randomNormal([4, 8, 8, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const loss = (xx: tf.Tensor) => tf.maxPool(tf.relu(tf.conv2d(xx as tf.Tensor4D, w, 1, "same")), 2, 2, "valid").reshape([4, -1]).matMul(tf.ones([64, 2])).sum();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.tidy(() => void tf.grad(loss)(x));
    for (let i = 0; i < 5; i++) tf.grad(loss)(x).dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, w]);
  });
});

test("restoreStockWasmKernels puts the stock kernels back, and registering again reinstalls ours", () => {
  const ours = WASM_KERNEL_REPLACEMENTS.map((r) => tf.getKernel(r.kernelName, "wasm"));
  restoreStockWasmKernels();
  const stock = WASM_KERNEL_REPLACEMENTS.map((r) => tf.getKernel(r.kernelName, "wasm"));
  WASM_KERNEL_REPLACEMENTS.forEach((r, i) => assert.notEqual(stock[i], ours[i], r.kernelName));
  registerWasmGradientKernels();
  registerWasmGradientKernels(); // a second call must not wrap the replacement in itself
  WASM_KERNEL_REPLACEMENTS.forEach((r, i) => {
    const now = tf.getKernel(r.kernelName, "wasm")!;
    assert.notEqual(now, stock[i], r.kernelName);
    assert.equal(now.setupFunc, stock[i]!.setupFunc, `${r.kernelName} keeps the stock setup`);
  });
});
