import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { makeBatch } from "../lib/data/batches";
import type { ImageSet } from "../lib/data/types";
import { embeddingRows, embedWithModel, featureExtractor, pixelEmbeddings } from "../lib/embeddings/penultimate";
import { cifar10CNN } from "../lib/models/cifar10_cnn";
import { simpleCNN } from "../lib/models/simple_cnn";
import { initBackend, tf } from "../lib/tf";

before(() => initBackend({ quiet: true }));

/** `count` images of pseudo-random bytes (deterministic), labelled i mod 10. */
function randomImages(count: number, size: number, channels: number): ImageSet {
  let state = 12345;
  const images = Uint8Array.from({ length: count * size * size * channels }, () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24);
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count, height: size, width: size, channels, classNames: Array.from({ length: 10 }, (_, i) => `c${i}`) };
}

const layerError = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (err: Error) => pattern.test(err.message), `expected an error matching ${pattern}`);

describe("featureExtractor", () => {
  test("cuts CIFAR10CNN before its logits: the head applied to the features gives the model's output", () => {
    const model = cifar10CNN({ seed: 3 });
    const extractor = featureExtractor(model);
    assert.deepEqual(extractor.outputs[0].shape, [null, 256]);
    const set = randomImages(4, 32, 3);
    tf.tidy(() => {
      const { x } = makeBatch(set, Int32Array.from([0, 1, 2, 3]));
      const features = extractor.predict(x) as tf.Tensor2D;
      const [kernel, bias] = model.getLayer("logits").getWeights();
      const fromFeatures = features.matMul(kernel).add(bias);
      const logits = model.predict(x) as tf.Tensor2D;
      assert.ok(tf.max(tf.abs(fromFeatures.sub(logits))).dataSync()[0] < 1e-4);
      assert.ok(tf.min(features).dataSync()[0] >= 0, "fc1 is a ReLU layer: its outputs are ≥ 0");
    });
  });

  test("skips dropout before the head, and accepts a named flat layer", () => {
    const withDropout = cifar10CNN({ seed: 3, dropout: 0.5 });
    assert.match(featureExtractor(withDropout).name, /_to_fc1$/);
    assert.deepEqual(featureExtractor(cifar10CNN(), { layer: "flatten" }).outputs[0].shape, [null, 2048]);
    assert.deepEqual(featureExtractor(simpleCNN()).outputs[0].shape, [null, 128]);
  });

  test("refuses layers that give no embedding, naming the fix", () => {
    layerError(() => featureExtractor(cifar10CNN(), { layer: "pool3" }), /outputs shape \[batch, 4, 4, 128\], a feature map.*\{ layer: "fc1" \}/);
    layerError(() => featureExtractor(cifar10CNN(), { layer: "fc9" }), /no layer "fc9". Its layers: conv1, pool1/);
    layerError(() => featureExtractor(cifar10CNN(), { layer: "logits" }), /is the classification head itself/);
    const oneLayer = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    layerError(() => featureExtractor(oneLayer), /no layer before its output layer/);
    const noFlat = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }), tf.layers.conv2d({ filters: 2, kernelSize: 3 })] });
    layerError(() => featureExtractor(noFlat), /Add a Flatten or GlobalAveragePooling2D layer/);
  });
});

describe("embedWithModel and pixelEmbeddings", () => {
  test("one row per image, in order, whatever the batch size", async () => {
    const set = randomImages(5, 32, 3);
    const extractor = featureExtractor(cifar10CNN({ seed: 3 }));
    const whole = await embedWithModel(extractor, set, { progress: false });
    const batched = await embedWithModel(extractor, set, { batchSize: 2, progress: false });
    assert.deepEqual([whole.count, whole.dim], [5, 256]);
    assert.deepEqual(batched.data, whole.data);
    const expected = tf.tidy(() => (extractor.predict(makeBatch(set, Int32Array.from([3])).x) as tf.Tensor2D).dataSync());
    const row3 = embeddingRows(whole)[3];
    assert.ok(row3.every((v, i) => Math.abs(v - expected[i]) < 1e-5));
  });

  test("refuses images of another shape", async () => {
    const extractor = featureExtractor(cifar10CNN());
    await assert.rejects(embedWithModel(extractor, randomImages(2, 28, 1)), /takes images of shape \[32, 32, 3\] but the set's are \[28, 28, 1\]/);
  });

  test("pixels are the flattened, normalised image bytes", async () => {
    const set = randomImages(3, 4, 3);
    const pixels = await pixelEmbeddings(set, { batchSize: 2 });
    assert.deepEqual([pixels.count, pixels.dim], [3, 48]);
    assert.ok(pixels.data.every((v, i) => Math.abs(v - (set.images[i] / 127.5 - 1)) < 1e-6));
    const rows = embeddingRows(pixels);
    assert.equal(rows.length, 3);
    assert.equal(rows[2].buffer, pixels.data.buffer, "rows are views, not copies");
  });
});
