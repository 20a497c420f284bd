// The charts the course needs, as small functions that build a vega-lite spec and show it.
// Each returns the rendered chart so tests (and curious learners) can inspect the SVG/PNG/spec.
import type { History } from "../train/loop";
import { showChart, type Rendered, type TopLevelSpec } from "./render";

const WIDTH = 420;
const HEIGHT = 260;

export interface Series {
  name: string;
  values: readonly number[];
  /** x value per point; default 1, 2, 3… (epochs). */
  x?: readonly number[];
}

/** Several runs on one chart: one line per series, coloured and labelled. */
export async function lineChart(
  series: readonly Series[],
  options: { title: string; x?: string; y?: string; yZero?: boolean; logX?: boolean },
): Promise<Rendered> {
  const rows = series.flatMap((s) => s.values.map((v, i) => ({ run: s.name, x: s.x?.[i] ?? i + 1, y: v })));
  for (const r of rows) if (!Number.isFinite(r.y)) throw new Error(`lineChart "${options.title}": run "${r.run}" has a non-finite value at x=${r.x}.`);
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.x ?? "epoch", scale: options.logX ? { type: "log" } : {}, axis: integerTicks(rows.map((r) => r.x)) },
      y: { field: "y", type: "quantitative", title: options.y ?? "value", scale: { zero: options.yZero ?? false } },
      color: { field: "run", type: "nominal", title: null, sort: series.map((s) => s.name) },
      tooltip: [{ field: "run" }, { field: "x" }, { field: "y", format: ".4f" }],
    },
  };
  return showChart(spec, `${options.title}: ${series.map((s) => `${s.name} → ${s.values[s.values.length - 1]?.toFixed(4)}`).join(", ")}`);
}

/** Epoch-like axes: a tick at each integer value, never at 1.5. */
function integerTicks(xs: readonly number[]): { values?: number[]; format?: string } {
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  return distinct.every(Number.isInteger) && distinct.length <= 20 ? { values: distinct, format: "d" } : {};
}

export type HistoryMetric = "loss" | "accuracy" | "testLoss" | "testAccuracy";
const METRIC_TITLES: Record<HistoryMetric, string> = {
  loss: "training loss",
  accuracy: "training accuracy",
  testLoss: "test loss",
  testAccuracy: "test accuracy",
};

/**
 * Training curves of one or more runs. With one run and both "loss" and "testLoss" (or the two
 * accuracies), train and test share the chart: the picture of over- and under-fitting.
 */
export async function historyChart(
  runs: Record<string, History>,
  metrics: readonly HistoryMetric[],
  options: { title?: string } = {},
): Promise<Rendered> {
  const series: Series[] = [];
  for (const [name, history] of Object.entries(runs)) {
    for (const metric of metrics) {
      const values = history.epochs.map((e) => e[metric]);
      if (values.some((v) => v === undefined)) {
        throw new Error(`historyChart: run "${name}" has no ${metric} (pass testSet to train() to record test metrics).`);
      }
      const label = metrics.length > 1 ? (Object.keys(runs).length > 1 ? `${name} · ${METRIC_TITLES[metric]}` : METRIC_TITLES[metric]) : name;
      series.push({ name: label, values: values as number[], x: history.epochs.map((e) => e.epoch) });
    }
  }
  const y = metrics.length === 1 ? METRIC_TITLES[metrics[0]] : metrics.every((m) => m.toLowerCase().includes("loss")) ? "loss" : "accuracy";
  return lineChart(series, { title: options.title ?? `${y} per epoch`, x: "epoch", y });
}

export interface Bar {
  label: string;
  value: number;
  /** Optional grouping (e.g. model) shown as colour. */
  group?: string;
}

/** Horizontal bars: comparing runs, models or classes on one number. */
export async function barChart(bars: readonly Bar[], options: { title: string; value: string; format?: string; domain?: [number, number] }): Promise<Rendered> {
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title,
    width: WIDTH,
    height: { step: 22 },
    data: { values: bars.map((b) => ({ ...b, group: b.group ?? b.label })) },
    encoding: {
      y: { field: "label", type: "nominal", sort: null, title: null },
      x: { field: "value", type: "quantitative", title: options.value, scale: options.domain ? { domain: options.domain } : {} },
    },
    layer: [
      { mark: "bar", encoding: { color: { field: "group", type: "nominal", legend: bars.some((b) => b.group) ? {} : null } } },
      { mark: { type: "text", align: "left", dx: 3 }, encoding: { text: { field: "value", type: "quantitative", format: options.format ?? ".3f" } } },
    ],
  };
  return showChart(spec, `${options.title}: ${bars.map((b) => `${b.label} ${b.value.toFixed(3)}`).join(", ")}`);
}

/** Counts of (true class, predicted class) as a heat map with the numbers written in. */
export async function confusionMatrix(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  classNames: readonly string[],
  options: { title?: string } = {},
): Promise<Rendered> {
  if (labels.length !== predictions.length) {
    throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions; pass one prediction per label.`);
  }
  const k = classNames.length;
  const counts = new Array<number>(k * k).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const [t, p] = [labels[i], predictions[i]];
    if (!(t >= 0 && t < k && p >= 0 && p < k)) throw new Error(`confusionMatrix: class index out of range at ${i} (label ${t}, prediction ${p}, ${k} classes).`);
    counts[t * k + p]++;
  }
  const rows = counts.map((count, i) => ({ actual: classNames[Math.floor(i / k)], predicted: classNames[i % k], count }));
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? "confusion matrix (rows: true class, columns: prediction)",
    width: Math.max(240, 34 * k),
    height: Math.max(240, 34 * k),
    data: { values: rows },
    encoding: {
      x: { field: "predicted", type: "nominal", sort: classNames as string[], axis: { labelAngle: -40 } },
      y: { field: "actual", type: "nominal", sort: classNames as string[] },
    },
    layer: [
      { mark: "rect", encoding: { color: { field: "count", type: "quantitative", scale: { range: ["#ffffff", "#08306b"], type: "sqrt" }, legend: null } } },
      {
        mark: { type: "text", fontSize: 10 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: `datum.count > ${Math.max(...counts) / 3}`, value: "white" }, value: "black" },
        },
      },
    ],
  };
  const correct = classNames.reduce((s, _, i) => s + counts[i * k + i], 0);
  return showChart(spec, `confusion matrix: ${correct} of ${labels.length} on the diagonal`);
}

export interface Point {
  x: number;
  y: number;
  label: string;
}

/** 2-D points coloured by class (PCA projections of embeddings). */
export async function scatterChart(points: readonly Point[], options: { title: string; x?: string; y?: string }): Promise<Rendered> {
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title,
    width: WIDTH,
    height: WIDTH,
    data: { values: points as Point[] },
    mark: { type: "circle", size: 18, opacity: 0.7 },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.x ?? "component 1" },
      y: { field: "y", type: "quantitative", title: options.y ?? "component 2" },
      color: { field: "label", type: "nominal", title: null },
      tooltip: [{ field: "label" }],
    },
  };
  return showChart(spec, `${options.title}: ${points.length} points`);
}
