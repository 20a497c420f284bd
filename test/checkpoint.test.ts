import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { ImageSet } from "../lib/data/types";
import { cifarCnnForEmbeddings, WEEK3_CHECKPOINT } from "../lib/embeddings/trained_cnn";
import { checkpointDir, loadCheckpoint, loadOrTrain, saveCheckpoint, weightsFingerprint } from "../lib/models/checkpoint";
import { initBackend, tf } from "../lib/tf";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "checkpoint-test-"));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
before(() => initBackend({ quiet: true }));

const small = (seed: number) =>
  tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 4, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: "ones" }),
    ],
  });
const predict = (model: tf.LayersModel) => tf.tidy(() => Array.from((model.predict(tf.tensor2d([[1, -2, 3], [0.5, 0, -1]])) as tf.Tensor).dataSync()));
const freshRoot = () => fs.mkdtempSync(path.join(TMP, "root-"));

describe("checkpoints", () => {
  test("save then load gives the same model, fingerprint and info", async () => {
    const root = freshRoot();
    const model = small(1);
    const saved = await saveCheckpoint(model, "tiny", { epochs: 3, test_accuracy: 0.5 }, { root });
    const loaded = await loadCheckpoint("tiny", { root });
    assert.ok(loaded);
    assert.deepEqual(predict(loaded.model), predict(model));
    assert.equal(loaded.fingerprint, saved.fingerprint);
    assert.equal(loaded.fingerprint, await weightsFingerprint(model));
    assert.notEqual(await weightsFingerprint(small(2)), saved.fingerprint);
    assert.deepEqual(loaded.info, { epochs: 3, test_accuracy: 0.5 });
    assert.deepEqual(fs.readdirSync(root), ["tiny"], "no temporary folders left behind");
  });

  test("a missing checkpoint is undefined; saving again replaces it", async () => {
    const root = freshRoot();
    assert.equal(await loadCheckpoint("nothing-here", { root }), undefined);
    await saveCheckpoint(small(1), "m", { run: 1 }, { root });
    await saveCheckpoint(small(2), "m", { run: 2 }, { root });
    const loaded = await loadCheckpoint("m", { root });
    assert.deepEqual(loaded?.info, { run: 2 });
    assert.deepEqual(predict(loaded!.model), predict(small(2)));
    assert.deepEqual(fs.readdirSync(root), ["m"]);
  });

  test("a corrupt or truncated checkpoint is refused with the fix", async () => {
    const root = freshRoot();
    await saveCheckpoint(small(1), "bad", {}, { root });
    const weights = path.join(checkpointDir("bad", root), "weights.bin");
    const bytes = fs.readFileSync(weights);
    bytes[0] ^= 0xff;
    fs.writeFileSync(weights, bytes);
    await assert.rejects(loadCheckpoint("bad", { root }), /weights\.bin is corrupt .*Fix: delete the folder/);
    fs.writeFileSync(path.join(checkpointDir("bad", root), "checkpoint.json"), "{ not json");
    await assert.rejects(loadCheckpoint("bad", { root }), /manifest .* is unreadable/);
  });

  test("names must be folder-safe", async () => {
    await assert.rejects(saveCheckpoint(small(1), "../escape", {}, { root: freshRoot() }), /must be letters, digits/);
  });

  test("loadOrTrain trains once, then loads", async () => {
    const root = freshRoot();
    let fits = 0;
    const fit = async () => ({ fitted: ++fits });
    const first = await loadOrTrain("lazy", () => small(1), fit, { root });
    const second = await loadOrTrain("lazy", () => small(9), fit, { root });
    assert.deepEqual([first.trained, second.trained, fits], [true, false, 1]);
    assert.deepEqual(predict(second.model), predict(first.model));
  });
});

describe("cifarCnnForEmbeddings", () => {
  const images: ImageSet = {
    images: Uint8Array.from({ length: 32 * 32 * 32 * 3 }, (_, i) => (i * 37) % 256),
    labels: Uint8Array.from({ length: 32 }, (_, i) => i % 10),
    count: 32,
    height: 32,
    width: 32,
    channels: 3,
    classNames: Array.from({ length: 10 }, (_, i) => `c${i}`),
  };

  test("trains within the budget, then reuses that run; prefers week 3's checkpoint", async () => {
    const root = freshRoot();
    const lines: string[] = [];
    const budget = { trainImages: 16, maxEpochs: 3, budgetSeconds: 0, seed: 1 };
    const first = await cifarCnnForEmbeddings(images, budget, { root, log: (m) => lines.push(m) });
    assert.equal(first.origin, "trained now");
    assert.deepEqual([first.info.epochs, first.info.train_images, first.info.stopped_by], [1, 16, "time budget"]);
    assert.match(lines.join("\n"), /stopping after 1 epochs/);
    const again = await cifarCnnForEmbeddings(images, budget, { root, log: () => {} });
    assert.equal(again.origin, "earlier week 5 run");
    assert.equal(again.fingerprint, first.fingerprint);

    await saveCheckpoint(first.model, WEEK3_CHECKPOINT, { train_images: 1000, epochs: 8, test_accuracy: 0.41, profile: "quick" }, { root });
    const week3 = await cifarCnnForEmbeddings(images, budget, { root });
    assert.equal(week3.origin, "week 3 checkpoint");
    assert.match(week3.description, /1000 training images, 8 epochs, test accuracy 0\.410, quick profile/);
  });
});
