import { test } from "node:test";
import assert from "node:assert/strict";
import { barChart, confusionMatrix, historyChart, lineChart } from "../lib/plot/charts";
import { imageGridSvg } from "../lib/plot/image_grid";
import { svgToPng } from "../lib/plot/render";
import { encodePng } from "../lib/plot/png";
import type { History } from "../lib/train/loop";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

test("a line chart renders to vega-lite, SVG with its labels, and a PNG", async () => {
  const r = await lineChart(
    [{ name: "BasicNN", values: [0.5, 0.3, 0.2] }, { name: "SimpleCNN", values: [0.3, 0.1, 0.05] }],
    { title: "loss per epoch", y: "loss" },
  );
  assert.equal((r.spec as { $schema: string }).$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  for (const text of ["loss per epoch", "BasicNN", "SimpleCNN", "epoch"]) assert.ok(r.svg.includes(text), `SVG lacks "${text}"`);
  assert.ok(r.png.subarray(0, 8).equals(PNG_SIGNATURE));
  assert.ok(r.png.length > 5000, `PNG of ${r.png.length} bytes is too small to hold a chart`);
  await assert.rejects(lineChart([{ name: "bad", values: [1, NaN] }], { title: "t" }), /non-finite value at x=2/);
});

test("history charts need the metrics they plot", async () => {
  const h: History = { seconds: 2, epochs: [1, 2].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.5 + epoch / 10, seconds: 1, imagesPerSecond: 100 })) };
  const r = await historyChart({ run: h }, ["loss"]);
  assert.ok(r.svg.includes("training loss"));
  await assert.rejects(historyChart({ run: h }, ["testAccuracy"]), /has no testAccuracy \(pass testSet/);
});

test("bar chart and confusion matrix count what they are given", async () => {
  const bars = await barChart([{ label: "a", value: 0.9 }, { label: "b", value: 0.95 }], { title: "acc", value: "accuracy" });
  assert.ok(bars.svg.includes("0.950"));
  const cm = await confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 2], ["cat", "dog", "ship"]);
  const counts = (cm.spec as { data: { values: { actual: string; predicted: string; count: number }[] } }).data.values;
  const get = (a: string, p: string) => counts.find((c) => c.actual === a && c.predicted === p)!.count;
  assert.deepEqual([get("cat", "cat"), get("cat", "dog"), get("dog", "dog"), get("ship", "ship"), get("dog", "cat")], [1, 1, 2, 1, 0]);
  await assert.rejects(confusionMatrix([0, 1], [0], ["a", "b"]), /2 labels but 1 predictions/);
  await assert.rejects(confusionMatrix([0, 5], [0, 1], ["a", "b"]), /out of range at 1/);
});

test("PNG encoder round-trips through a real renderer, and image grids keep captions", () => {
  const pixels = new Uint8Array(4 * 3 * 3).map((_, i) => (i * 37) % 256);
  const png = encodePng(pixels, 4, 3, 3);
  assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE));
  assert.throws(() => encodePng(pixels, 5, 3, 3), /got 36 bytes for 5×3×3/);
  const svg = imageGridSvg([{ pixels, width: 4, height: 3, channels: 3 }], ["a <cat>"], { columns: 4, scale: 8 });
  assert.ok(svg.includes("a &lt;cat&gt;"));
  // resvg decodes the embedded PNG: a broken encoder would render an empty cell.
  const rendered = svgToPng(svg, 1);
  assert.ok(rendered.subarray(0, 8).equals(PNG_SIGNATURE));
});
