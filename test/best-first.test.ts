import { test } from "node:test";
import assert from "node:assert/strict";
import { bestFirst } from "../lib/text/best_first";

test("bestFirst orders highest first and gives each gap to the best, whatever the input order", () => {
  const scores = [
    { name: "raw pixels", value: 0.3852 },
    { name: "CNN", value: 0.7399 },
    { name: "MobileNet", value: 0.7467 },
  ];
  assert.equal(bestFirst(scores), "MobileNet 0.747, then CNN 0.740 (0.007 behind), then raw pixels 0.385 (0.362 behind)");
  assert.equal(bestFirst([...scores].reverse(), (v) => v.toFixed(2)), "MobileNet 0.75, then CNN 0.74 (0.01 behind), then raw pixels 0.39 (0.36 behind)");
  assert.equal(bestFirst([{ name: "only", value: 0.5 }]), "only 0.500");
});

test("bestFirst refuses to order missing scores instead of placing them anywhere", () => {
  assert.throws(() => bestFirst([]), /no scores given/);
  assert.throws(() => bestFirst([{ name: "CNN", value: Number.NaN }, { name: "MobileNet", value: 0.7 }]), /no finite score for CNN \(NaN\)/);
});
