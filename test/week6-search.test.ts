// The week 6 search helpers: image views, retrieval evaluation, re-ranking, the saved gallery.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import type { ImageSet } from "../lib/data/types";
import { encodePng } from "../lib/plot/png";
import { evaluateRetrieval, rankOfTargets, summarizeRanks } from "../lib/search/evaluate";
import { decodeQueryImage, loadGallery, saveGallery } from "../lib/search/gallery_store";
import { removeNearDuplicates, searchAndRerank } from "../lib/search/rerank";
import { ExactIndex, HnswIndex } from "../lib/search/vector_index";
import { downscale, fixedView, randomViews } from "../lib/search/views";
import { initBackend } from "../lib/tf";

before(() => initBackend({ quiet: true }));

/** n 4×4 RGB images: image i has red = 10·i in every pixel, green rising left to right. */
function tinySet(n: number): ImageSet {
  const images = new Uint8Array(n * 4 * 4 * 3);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 16; p++) {
      images[(i * 16 + p) * 3] = 10 * i;
      images[(i * 16 + p) * 3 + 1] = 60 * (p % 4);
      images[(i * 16 + p) * 3 + 2] = 100;
    }
  }
  return { images, labels: Uint8Array.from({ length: n }, (_, i) => i % 2), count: n, height: 4, width: 4, channels: 3, classNames: ["even", "odd"] };
}
const pixel = (set: ImageSet, i: number, y: number, x: number) => Array.from(set.images.subarray(((i * set.height + y) * set.width + x) * 3, ((i * set.height + y) * set.width + x) * 3 + 3));

describe("views", () => {
  test("flip mirrors, jitter keeps the size and changes colours, crop zooms in", () => {
    const set = tinySet(3);
    const flipped = fixedView(set, "flip");
    assert.deepEqual(pixel(flipped, 1, 0, 0), pixel(set, 1, 0, 3));
    assert.deepEqual(pixel(flipped, 1, 2, 3), pixel(set, 1, 2, 0));
    const jittered = fixedView(set, "jitter");
    assert.equal(jittered.images.length, set.images.length);
    assert.notDeepEqual(pixel(jittered, 2, 0, 0), pixel(set, 2, 0, 0));
    const cropped = fixedView(set, "crop");
    // Green spans 0..180 across the row; the centre crop spans less of it.
    assert.ok(pixel(cropped, 0, 0, 0)[1] > 0 && pixel(cropped, 0, 0, 3)[1] < 180);
    assert.deepEqual(Array.from(cropped.labels), Array.from(set.labels));
    assert.throws(() => fixedView(set, "rotate" as "flip"), /Unknown view "rotate"/);
  });

  test("random views are repeatable with a seed and differ between seeds", () => {
    const set = tinySet(8);
    assert.deepEqual(randomViews(set, { seed: 1 }).images, randomViews(set, { seed: 1 }).images);
    assert.notDeepEqual(randomViews(set, { seed: 1 }).images, randomViews(set, { seed: 2 }).images);
    assert.throws(() => randomViews(set, { seed: 1, minArea: 0 }), /minArea must be in \(0, 1\]/);
  });

  test("downscale averages blocks of pixels", () => {
    const small = downscale(tinySet(2), 2);
    assert.deepEqual([small.height, small.width, small.count], [2, 2, 2]);
    assert.deepEqual(pixel(small, 1, 0, 0), [10, 30, 100]); // mean of green 0 and 60
    assert.throws(() => downscale(tinySet(1), 3), /divides the image size 4/);
  });
});

describe("evaluation", () => {
  // Four 2-d embeddings: two near (1, 0) with label 0, two near (0, 1) with label 1.
  const gallery = { data: Float32Array.from([1, 0.1, 1, 0, 0.1, 1, 0, 1]), count: 4, dim: 2 };
  test("evaluateRetrieval scores a perfectly separated gallery as perfect, a mixed one lower", () => {
    const perfect = evaluateRetrieval(gallery, [0, 0, 1, 1], [0, 1, 2, 3], 1);
    assert.deepEqual(perfect, { precisionAtK: 1, recallAtK: 1, mapAtK: 1, mrr: 1, ndcgAtK: 1 });
    const mixed = evaluateRetrieval(gallery, [0, 1, 0, 1], [0, 1, 2, 3], 1);
    assert.equal(mixed.precisionAtK, 0);
    assert.throws(() => evaluateRetrieval(gallery, [0, 1], [0], 1), /4 embeddings but 2 labels/);
    assert.throws(() => evaluateRetrieval(gallery, [0, 0, 1, 1], [7], 1), /query 7 is not a gallery index/);
  });

  test("rankOfTargets finds each original's rank", () => {
    const queries = { data: Float32Array.from([1, 0.05, 0.05, 1]), count: 2, dim: 2 };
    assert.deepEqual(Array.from(rankOfTargets(queries, gallery, [0, 3])), [1, 2]);
    assert.deepEqual(Array.from(rankOfTargets(queries, gallery, [2, 1])), [3, 4]);
    assert.throws(() => rankOfTargets({ data: new Float32Array(3), count: 1, dim: 3 }, gallery, [0]), /dim 3 but the gallery has dim 2/);
    assert.deepEqual(summarizeRanks([1, 2, 30, 1]), { top1: 0.5, top10: 0.75, median: 1.5, mrr: (1 + 0.5 + 1 / 30 + 1) / 4 });
  });
});

describe("re-ranking", () => {
  const vectors = [[1, 0], [0.999, 0.01], [0.9, 0.3], [0.5, 0.6], [0, 1]];
  const index = new ExactIndex({ dim: 2, modelId: "t", preprocessingId: "t" });
  index.add(vectors);
  const vectorOf = (id: number) => vectors[id];

  test("near-duplicates of better results are removed, the rest keep their order", () => {
    const hits = index.search([1, 0], 5);
    const kept = removeNearDuplicates(hits, vectorOf, { threshold: 0.99 });
    assert.deepEqual(kept.ids, [0, 2, 3, 4]);
    assert.deepEqual(kept.removed.map((r) => [r.id, r.duplicateOf]), [[1, 0]]);
    assert.throws(() => removeNearDuplicates(hits, vectorOf, { threshold: 2 }), /threshold is a cosine similarity/);
  });

  test("searchAndRerank filters inside the search and over-fetches for de-duplication", () => {
    assert.deepEqual(searchAndRerank(index, [1, 0], 2, { filter: (id) => id % 2 === 0 }).ids, [0, 2]);
    const deduped = searchAndRerank(index, [1, 0], 2, { dedupe: { vectorOf, threshold: 0.99 } });
    assert.deepEqual(deduped.ids, [2, 3]); // 0 is the query itself, 1 its duplicate
    assert.deepEqual(deduped.removed.map((r) => r.duplicateOf), [-1, -1]);
  });
});

describe("saved gallery", () => {
  const provenance = { modelId: "m1", preprocessingId: "p1" };
  const vectors = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]];

  async function saved(): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gallery-"));
    const index = new HnswIndex({ dim: 3, ...provenance });
    index.add(vectors);
    await saveGallery(dir, index, tinySet(4), ["a#0", "a#1", "a#2", "a#3"], "test gallery");
    return dir;
  }

  test("round-trips index, labels, sources and thumbnails", async () => {
    const dir = await saved();
    const gallery = await loadGallery(dir, { dim: 3, ...provenance });
    assert.equal(gallery.index.size, 4);
    assert.deepEqual(gallery.index.search([0, 1, 0], 1).ids, [1]);
    assert.deepEqual(gallery.sources, ["a#0", "a#1", "a#2", "a#3"]);
    assert.deepEqual(gallery.images.images, tinySet(4).images);
    assert.equal(gallery.note, "test gallery");
  });

  test("refuses another model, damaged thumbnails, and mismatched inputs", async () => {
    const dir = await saved();
    await assert.rejects(loadGallery(dir, { dim: 3, modelId: "m2", preprocessingId: "p1" }), /built with model "m1", but your queries come from "m2"/);
    const thumbs = path.join(dir, "images.u8");
    const bytes = fs.readFileSync(thumbs);
    bytes[5] ^= 0xff;
    fs.writeFileSync(thumbs, bytes);
    await assert.rejects(loadGallery(dir, { dim: 3, ...provenance }), /images\.u8 is corrupt/);
    const index = new ExactIndex({ dim: 3, ...provenance });
    index.add(vectors.slice(0, 2));
    await assert.rejects(saveGallery(dir, index, tinySet(4), ["x", "y", "z", "w"]), /the index holds 2 vectors, there are 4 images/);
  });

  test("decodeQueryImage resizes an upload and rejects what is not an image", async () => {
    const png = encodePng(new Uint8Array(64 * 48 * 3).fill(200), 64, 48, 3);
    const set = await decodeQueryImage(png, { width: 32, height: 32 });
    assert.deepEqual([set.count, set.height, set.width, set.images.length], [1, 32, 32, 32 * 32 * 3]);
    assert.equal(set.images[100], 200);
    await assert.rejects(decodeQueryImage(Buffer.from("hello, not an image"), { width: 32, height: 32 }), /not an image that can be read .* upload a JPEG, PNG or WebP/);
  });
});
