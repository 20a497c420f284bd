import { test } from "node:test";
import assert from "node:assert/strict";
import { barChart, barChartSpec, type Bar, confusionMatrix, confusionMatrixSpec, historyChart, historyChartSpec, lineChart, lineChartSpec } from "../lib/plot/charts";
import { imageGridSvg } from "../lib/plot/image_grid";
import { renderSpec, svgToPng } from "../lib/plot/render";
import { encodePng } from "../lib/plot/png";
import type { History } from "../lib/train/loop";
import { tf } from "../lib/tf";
import { tensorToImage } from "../lib/plot/tensor_images";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

test("a line chart renders to vega-lite, SVG with its labels, and a PNG", async () => {
  const r = await renderSpec(
    lineChartSpec([{ name: "BasicNN", values: [0.5, 0.3, 0.2] }, { name: "SimpleCNN", values: [0.3, 0.1, 0.05] }], { title: "loss per epoch", y: "loss" }).spec,
  );
  assert.equal((r.spec as { $schema: string }).$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  for (const text of ["loss per epoch", "BasicNN", "SimpleCNN", "epoch"]) assert.ok(r.svg.includes(text), `SVG lacks "${text}"`);
  assert.ok(r.png.subarray(0, 8).equals(PNG_SIGNATURE));
  assert.ok(r.png.length > 5000, `PNG of ${r.png.length} bytes is too small to hold a chart`);
  await assert.rejects(lineChart([{ name: "bad", values: [1, NaN] }], { title: "t" }), /non-finite value at x=2/);
});

test("history charts need the metrics they plot", async () => {
  const h: History = { seconds: 2, epochs: [1, 2].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 0.5 + epoch / 10, seconds: 1, imagesPerSecond: 100 })) };
  const r = await renderSpec(historyChartSpec({ run: h }, ["loss"]).spec);
  assert.ok(r.svg.includes("training loss"));
  await assert.rejects(historyChart({ run: h }, ["testAccuracy"]), /has no testAccuracy \(pass testSet/);
});

test("bar chart and confusion matrix count what they are given", async () => {
  const bars = await renderSpec(barChartSpec([{ label: "a", value: 0.9 }, { label: "b", value: 0.95 }], { title: "acc", value: "accuracy" }).spec);
  assert.ok(bars.svg.includes("0.950"));
  const cm = confusionMatrixSpec([0, 0, 1, 1, 2], [0, 1, 1, 1, 2], ["cat", "dog", "ship"]);
  const counts = (cm.spec as { data: { values: { actual: string; predicted: string; count: number }[] } }).data.values;
  const get = (a: string, p: string) => counts.find((c) => c.actual === a && c.predicted === p)!.count;
  assert.deepEqual([get("cat", "cat"), get("cat", "dog"), get("dog", "dog"), get("ship", "ship"), get("dog", "cat")], [1, 1, 2, 1, 0]);
  await assert.rejects(confusionMatrix([0, 1], [0], ["a", "b"]), /2 labels but 1 predictions/);
  await assert.rejects(confusionMatrix([0, 5], [0, 1], ["a", "b"]), /out of range at 1/);
});

test("a bar's value label stays inside the chart, even for the longest bar and a bar at the domain's end", async () => {
  // "0.950" / "1.000" in 11 px DejaVu Sans are about 33 px wide.
  const labelFits = async (bars: Bar[], label: string, domain?: [number, number]) => {
    const { svg } = await renderSpec(barChartSpec(bars, { title: "acc", value: "accuracy", domain }).spec);
    const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)?.[1]);
    const origin = Number(/<g fill="none"[^>]* transform="translate\(([\d.]+),/.exec(svg)?.[1]);
    const text = new RegExp(`transform="translate\\(([\\d.]+),[\\d.]+\\)"[^>]*>${label.replace(".", "\\.")}</text>`).exec(svg);
    assert.ok(text, `no label ${label} in the chart`);
    assert.ok(!/clip-path="url\(#clip\d+\)"[^>]*aria-roledescription="text mark container"/.test(svg), "labels are clipped");
    const x = origin + Number(text[1]);
    assert.ok(x + 33 <= width, `label ${label} at x=${x} runs past the ${width} px chart`);
  };
  await labelFits([{ label: "a", value: 0.9 }, { label: "b", value: 0.95 }], "0.950");
  await labelFits([{ label: "a", value: 0.44 }, { label: "b", value: 1 }], "1.000", [0, 1]);
  // Zoomed in, a value below the domain has its bar clipped and no label left of the axis.
  const zoomed = await renderSpec(barChartSpec([{ label: "a", value: 0.9 }, { label: "b", value: 0.97 }], { title: "acc", value: "accuracy", domain: [0.95, 1] }).spec);
  assert.match(zoomed.svg, />0\.970<\/text>/);
  assert.doesNotMatch(zoomed.svg, />0\.900<\/text>/);
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

test("image tensors are stretched to 0..255 and checked for shape", () => {
  const edge = tf.tensor2d([[-2, 0], [2, 1]]);
  assert.deepEqual(Array.from(tensorToImage(edge).pixels), [0, 128, 255, 191]);
  assert.deepEqual(Array.from(tensorToImage(edge, { range: [0, 1] }).pixels), [0, 0, 255, 255]);
  assert.deepEqual(Array.from(tensorToImage(tf.fill([2, 2], 3)).pixels), [128, 128, 128, 128]);
  const rgb = tensorToImage(tf.zeros([3, 5, 3]));
  assert.deepEqual([rgb.width, rgb.height, rgb.channels], [5, 3, 3]);
  assert.throws(() => tensorToImage(tf.zeros([1, 28, 28, 16])), /got \[1, 28, 28, 16\]; pick one image and one channel/);
});

test("showing a chart resolves to nothing, so a cell ending in `await barChart(...)` prints no SVG text", async () => {
  assert.equal(await barChart([{ label: "a", value: 1 }], { title: "one bar", value: "v" }), undefined);
});
