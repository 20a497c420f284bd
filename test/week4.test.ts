import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { checkCosineSimilarity, checkTransferHead } from "../lib/exercises/week4";
import { initBackend, tf } from "../lib/tf";

before(() => initBackend({ quiet: true }));

describe("checkTransferHead", () => {
  const head = (layers: (dim: number, classes: number) => tf.layers.Layer[]) => (dim: number, classes: number) => tf.sequential({ layers: layers(dim, classes) });

  test("accepts a hidden-layer head and a plain linear head", () => {
    checkTransferHead(head((dim, classes) => [
      tf.layers.dense({ inputShape: [dim], units: 128, activation: "relu" }),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: classes }),
    ]));
    checkTransferHead(head((dim, classes) => [tf.layers.dense({ inputShape: [dim], units: classes })]));
  });

  const rejects = (build: (dim: number, classes: number) => tf.LayersModel, pattern: RegExp) =>
    assert.throws(() => checkTransferHead(build), (err: Error) => err.name === "ExerciseError" && pattern.test(err.message));

  test("names the specific mistake", () => {
    rejects(head((_, classes) => [tf.layers.dense({ inputShape: [256], units: classes })]), /input shape is \[batch, 256\]; it should be \[batch, 1280\]/);
    rejects(head((dim) => [tf.layers.dense({ inputShape: [dim], units: 10 })]), /with 5 classes the output has 10 units/);
    rejects(head((dim, classes) => [tf.layers.dense({ inputShape: [dim], units: classes, activation: "softmax" })]), /leave it linear/);
    rejects(head((dim, classes) => [tf.layers.dense({ inputShape: [dim], units: 4096, activation: "relu" }), tf.layers.dense({ units: classes })]), /keep it small/);
    rejects(head((dim, classes) => [tf.layers.reshape({ inputShape: [dim], targetShape: [dim, 1] }), tf.layers.flatten(), tf.layers.dense({ units: classes })]), /Reshape, Flatten/);
    rejects((() => undefined) as unknown as (d: number, c: number) => tf.LayersModel, /forget `return`/);
  });
});

describe("checkCosineSimilarity", () => {
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
  const norm = (a: Float32Array) => Math.sqrt(dot(a, a));
  const rejects = (fn: (a: Float32Array, b: Float32Array) => number, pattern: RegExp) =>
    assert.throws(() => checkCosineSimilarity(fn), (err: Error) => err.name === "ExerciseError" && pattern.test(err.message));

  test("accepts a correct cosine that returns 0 for a zero vector", () => {
    checkCosineSimilarity((a, b) => (norm(a) === 0 || norm(b) === 0 ? 0 : dot(a, b) / (norm(a) * norm(b))));
  });

  test("names the specific mistake", () => {
    rejects((a, b) => dot(a, b), /a vector with itself .* returned 14, expected 1: divide the dot product/);
    rejects((a, b) => Math.abs(dot(a, b)) / (norm(a) * norm(b)), /opposite directions .* do not take an absolute value/);
    rejects((a, b) => dot(a, b) / (norm(a) * norm(b)), /all-zero vector it returned NaN/);
    rejects(() => "1" as unknown as number, /plain number/);
  });
});
