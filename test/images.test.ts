import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import sharp from "sharp";
import { loadFlowers, FLOWER_CLASSES, creditsFor } from "../lib/data/flowers";
import { decodeImage, readImageSet } from "../lib/data/images";

const SHARED = "/work/shared/data";
const SMALL_SET = path.join(SHARED, "flower_photos_small_set");
const DAISY = path.join(SMALL_SET, "images/daisy/100080576_f52e8ee070_n.jpg"); // 320×263 per labels.csv
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "images-test-"));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

test("decodes a JPEG at its own size as RGB bytes", async () => {
  const image = await decodeImage(DAISY);
  assert.deepEqual([image.width, image.height, image.channels], [320, 263, 3]);
  assert.equal(image.pixels.length, 320 * 263 * 3);
  assert.ok(new Set(image.pixels.subarray(0, 3000)).size > 20, "real photo content, not a flat fill");
});

test("resizes to a square: cover crops the centre, fill stretches", async () => {
  const cover = await decodeImage(DAISY, { size: 224 });
  const fill = await decodeImage(DAISY, { size: 224, fit: "fill" });
  assert.deepEqual([cover.width, cover.height, fill.width, fill.height], [224, 224, 224, 224]);
  assert.equal(cover.pixels.length, 224 * 224 * 3);
  assert.notDeepEqual(cover.pixels, fill.pixels);
  const rect = await decodeImage(DAISY, { size: [100, 50] });
  assert.deepEqual([rect.width, rect.height], [100, 50]);
});

test("grey and transparent PNGs become 3-channel RGB with the same values", async () => {
  const grey = path.join(TMP, "grey.png");
  await sharp(Buffer.alloc(4 * 4, 100), { raw: { width: 4, height: 4, channels: 1 } }).png().toFile(grey);
  const g = await decodeImage(grey);
  assert.equal(g.channels, 3);
  assert.deepEqual(Array.from(g.pixels.subarray(0, 6)), [100, 100, 100, 100, 100, 100]);
  const rgba = path.join(TMP, "rgba.png");
  const px = Buffer.from(Array.from({ length: 4 }, () => [10, 20, 30, 128]).flat());
  await sharp(px, { raw: { width: 2, height: 2, channels: 4 } }).png().toFile(rgba);
  const a = await decodeImage(rgba);
  assert.deepEqual(Array.from(a.pixels.subarray(0, 3)), [10, 20, 30]);
});

test("an unreadable file is an error naming the file", async () => {
  const missing = path.join(TMP, "nope.jpg");
  await assert.rejects(decodeImage(missing), (err: Error) => err.message.includes(missing) && /Fix:/.test(err.message));
  const garbage = path.join(TMP, "garbage.jpg");
  fs.writeFileSync(garbage, "this is not a picture");
  await assert.rejects(decodeImage(garbage, { size: 224 }), (err: Error) => err.message.includes(garbage));
  const truncated = path.join(TMP, "truncated.jpg");
  const bytes = fs.readFileSync(DAISY);
  fs.writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
  await assert.rejects(decodeImage(truncated, { size: 224 }), (err: Error) => err.message.includes(truncated));
});

test("readImageSet decodes files in order into one ImageSet and rejects bad labels", async () => {
  const files = [
    { path: DAISY, label: 0 },
    { path: path.join(SMALL_SET, "images/tulips/100930342_92e8746431_n.jpg"), label: 4 },
  ];
  const set = await readImageSet(files, FLOWER_CLASSES, { size: 64 });
  assert.deepEqual([set.count, set.height, set.width, set.channels], [2, 64, 64, 3]);
  assert.deepEqual(Array.from(set.labels), [0, 4]);
  const second = await decodeImage(files[1].path, { size: 64 });
  assert.deepEqual(set.images.subarray(64 * 64 * 3), second.pixels);
  await assert.rejects(readImageSet([{ path: DAISY, label: 7 }], FLOWER_CLASSES, { size: 64 }), /label 7/);
});

test("loadFlowers lists the 200 verified photos with labels and credits", async () => {
  const flowers = await loadFlowers({ localDir: SHARED, download: false, log: () => {} });
  assert.equal(flowers.photos.length, 200);
  for (let c = 0; c < 5; c++) assert.equal(flowers.photos.filter((p) => p.label === c).length, 40);
  assert.ok(flowers.photos.every((p) => p.className === FLOWER_CLASSES[p.label] && p.path.includes(`/${p.className}/`)));
  assert.match(flowers.photos[0].credit, /^daisy\/\S+\.jpg CC-BY by .+ - https:\/\/www\.flickr\.com\//);
  assert.match(flowers.licence, /creativecommons\.org\/licenses\/by\/2\.0/);
  const credits = creditsFor(flowers, flowers.photos.slice(0, 2));
  assert.equal(credits.split("\n").length, 4);
  assert.match(credits.split("\n")[0], /available at: https:\/\/creativecommons.org\/licenses\/by\/2.0\//);
});

test("loadFlowers refuses a damaged local copy, naming the photo", async () => {
  const copy = path.join(TMP, "data");
  fs.cpSync(SMALL_SET, path.join(copy, "flower_photos_small_set"), { recursive: true });
  const victim = path.join(copy, "flower_photos_small_set", "images/roses/24781114_bc83aa811e_n.jpg");
  fs.chmodSync(victim, 0o644);
  const bytes = fs.readFileSync(victim);
  bytes[1000] ^= 0xff;
  fs.writeFileSync(victim, bytes);
  await assert.rejects(loadFlowers({ localDir: copy, download: false, log: () => {} }), (err: Error) => err.message.includes(victim) && /corrupt/.test(err.message));
});

test("without a local copy and with download off, loadFlowers says how to fix it", async () => {
  await assert.rejects(
    loadFlowers({ localDir: path.join(TMP, "empty"), cacheDir: path.join(TMP, "cache"), download: false, log: () => {} }),
    /COURSE_LOCAL_DATA/,
  );
});
