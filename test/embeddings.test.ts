import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { cachedEmbeddings, embeddingFileStem, type EmbeddingKey } from "../lib/embeddings/cache";
import type { Embeddings } from "../lib/embeddings/extract";
import { denseHead, evaluateHead, featureSet, selectFeatures, stratifiedSplit, trainHead } from "../lib/embeddings/head";
import { initBackend } from "../lib/tf";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "embeddings-test-"));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
before(() => initBackend({ quiet: true }));

const KEY: EmbeddingKey = { model: "mobilenet_v1_025_224", dataset: "flowers-small", preprocessing: "cover 224, [0,1]", count: 3 };
const vectors = (count: number, dim: number, offset = 0): Embeddings => ({
  data: Float32Array.from({ length: count * dim }, (_, i) => Math.sin(i + offset)),
  count,
  dim,
});

/** A cache dir, a compute function that counts its calls, and the log lines. */
function harness() {
  const dir = fs.mkdtempSync(path.join(TMP, "c-"));
  const lines: string[] = [];
  let calls = 0;
  const compute = async () => {
    calls++;
    return vectors(KEY.count, 4);
  };
  const get = (key: EmbeddingKey = KEY) => cachedEmbeddings(key, compute, { dir, log: (m) => lines.push(m) });
  return { dir, lines, get, calls: () => calls, stem: (key: EmbeddingKey = KEY) => path.join(dir, embeddingFileStem(key)) };
}

describe("embedding cache", () => {
  test("computes once, then reads the same vectors back from disk", async () => {
    const h = harness();
    const first = await h.get();
    assert.equal(first.fromCache, false);
    const second = await h.get();
    assert.equal(second.fromCache, true);
    assert.equal(h.calls(), 1);
    assert.deepEqual(second.data, vectors(3, 4).data);
    assert.deepEqual([second.count, second.dim], [3, 4]);
    const sidecar = JSON.parse(fs.readFileSync(`${h.stem()}.json`, "utf8"));
    assert.deepEqual(sidecar.shape, [3, 4]);
    assert.deepEqual(sidecar.key, KEY);
    assert.deepEqual(fs.readdirSync(h.dir).filter((f) => f.includes(".part-")), []);
  });

  test("a different model, dataset, preprocessing or count is a different entry", async () => {
    const stems = new Set(
      [KEY, { ...KEY, model: "mobilenet_v2_100_224" }, { ...KEY, dataset: "cifar10" }, { ...KEY, preprocessing: "fill 224" }, { ...KEY, count: 4 }].map(embeddingFileStem),
    );
    assert.equal(stems.size, 5);
  });

  test("a corrupt vector file is refused and recomputed", async () => {
    const h = harness();
    await h.get();
    const bytes = fs.readFileSync(`${h.stem()}.f32`);
    bytes[5] ^= 0x40;
    fs.writeFileSync(`${h.stem()}.f32`, bytes);
    const again = await h.get();
    assert.equal(again.fromCache, false);
    assert.equal(h.calls(), 2);
    assert.ok(h.lines.some((l) => /refusing .* corrupt/.test(l)), h.lines.join("\n"));
    assert.equal((await h.get()).fromCache, true, "the recomputed entry replaced the bad one");
  });

  test("a truncated vector file or a sidecar for another key is refused", async () => {
    const h = harness();
    await h.get();
    fs.truncateSync(`${h.stem()}.f32`, 20);
    assert.equal((await h.get()).fromCache, false);
    assert.ok(h.lines.some((l) => /has 20 bytes/.test(l)));
    const sidecar = JSON.parse(fs.readFileSync(`${h.stem()}.json`, "utf8"));
    fs.writeFileSync(`${h.stem()}.json`, JSON.stringify({ ...sidecar, key: { ...KEY, preprocessing: "fill 224" } }));
    assert.equal((await h.get()).fromCache, false);
    assert.ok(h.lines.some((l) => /computed for .*fill 224/.test(l)));
    fs.rmSync(`${h.stem()}.json`);
    assert.equal((await h.get()).fromCache, false, "vectors without a sidecar are not trusted");
    assert.equal(h.calls(), 4);
  });

  test("compute() returning the wrong number of rows is an error, not a cache entry", async () => {
    const dir = fs.mkdtempSync(path.join(TMP, "w-"));
    await assert.rejects(cachedEmbeddings(KEY, async () => vectors(2, 4), { dir, log: () => {} }), /returned 2 rows/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});

describe("transfer head", () => {
  test("stratifiedSplit keeps each class's share, is disjoint and repeatable", () => {
    const labels = Array.from({ length: 200 }, (_, i) => Math.floor(i / 40));
    const a = stratifiedSplit(labels, 0.25, 1);
    assert.equal(a.test.length, 50);
    for (let c = 0; c < 5; c++) assert.equal(Array.from(a.test).filter((i) => labels[i] === c).length, 10);
    assert.equal(new Set([...a.train, ...a.test]).size, 200);
    assert.deepEqual(stratifiedSplit(labels, 0.25, 1), a);
    assert.notDeepEqual(stratifiedSplit(labels, 0.25, 2).test, a.test);
  });

  test("a dense head learns classes that are separable in embedding space", async () => {
    // Three clusters in 16-d with noise: a working head gets them almost all right.
    const count = 150;
    const dim = 16;
    const labels = Array.from({ length: count }, (_, i) => i % 3);
    let seed = 7;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.8;
    const data = Float32Array.from({ length: count * dim }, (_, k) => (Math.floor(k / dim) % 3 === (k % dim) % 3 ? 1 : 0) + noise());
    const all = featureSet({ data, count, dim }, labels, ["a", "b", "c"]);
    const { train, test } = stratifiedSplit(labels, 0.2, 3);
    const head = denseHead(dim, 3, { hidden: 16, seed: 1 });
    const history = await trainHead(head, selectFeatures(all, train), { epochs: 20, seed: 1, testSet: selectFeatures(all, test) });
    assert.ok(history.epochs[19].loss < history.epochs[0].loss);
    assert.ok(evaluateHead(head, selectFeatures(all, test)).accuracy > 0.9);
    await assert.rejects(trainHead(denseHead(8, 3), all, { epochs: 1 }), /expects 8-d features but the embeddings are 16-d/);
  });
});
