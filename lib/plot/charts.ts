// The charts the course needs. Each comes as a pure spec builder (`lineChartSpec`, … : testable,
// and a starting point for learners who want to tweak a chart) and a function that shows it
// (`lineChart`, …). The showing functions resolve to nothing on purpose: tslab prints a cell's last
// value, and a chart object would print its whole SVG under the chart.
import type { History } from "../train/loop";
import { showChart, type TopLevelSpec } from "./render";

/** A spec and the one-line text shown where images are not (terminals, text-only viewers). */
export interface ChartSpec {
  spec: TopLevelSpec;
  description: string;
}

async function show(chart: ChartSpec): Promise<void> {
  await showChart(chart.spec, chart.description);
}

const WIDTH = 420;
const HEIGHT = 260;

export interface Series {
  name: string;
  values: readonly number[];
  /** x value per point; default 1, 2, 3… (epochs). */
  x?: readonly number[];
}

/** Several runs on one chart: one line per series, coloured and labelled. */
export function lineChartSpec(
  series: readonly Series[],
  options: { title: string; x?: string; y?: string; yZero?: boolean; logX?: boolean },
): ChartSpec {
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
  return { spec, description: `${options.title}: ${series.map((s) => `${s.name} → ${s.values[s.values.length - 1]?.toFixed(4)}`).join(", ")}` };
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
export function historyChartSpec(
  runs: Record<string, History>,
  metrics: readonly HistoryMetric[],
  options: { title?: string } = {},
): ChartSpec {
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
  return lineChartSpec(series, { title: options.title ?? `${y} per epoch`, x: "epoch", y });
}

export interface Bar {
  label: string;
  value: number;
  /** Optional grouping (e.g. model) shown as colour. */
  group?: string;
}

/** Horizontal bars: comparing runs, models or classes on one number. */
export function barChartSpec(bars: readonly Bar[], options: { title: string; value: string; format?: string; domain?: [number, number] }): ChartSpec {
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
      // clip: a domain that starts above 0 (zooming in on 0.95–1.0) must not draw bars past the axis.
      { mark: { type: "bar", clip: true }, encoding: { color: { field: "group", type: "nominal", legend: bars.some((b) => b.group) ? {} : null } } },
      // Labels are never clipped: a bar that reaches the domain's end (1.0 of [0, 1]) needs the room past
      // it. Instead a value outside the domain, whose bar end is off the plot, gets no label.
      {
        mark: { type: "text", align: "left", dx: 3 },
        ...(options.domain ? { transform: [{ filter: { field: "value", range: options.domain } }] } : {}),
        encoding: { text: { field: "value", type: "quantitative", format: options.format ?? ".3f" } },
      },
    ],
  };
  return { spec, description: `${options.title}: ${bars.map((b) => `${b.label} ${b.value.toFixed(3)}`).join(", ")}` };
}

/** Counts of (true class, predicted class) as a heat map with the numbers written in. */
export function confusionMatrixSpec(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  classNames: readonly string[],
  options: { title?: string } = {},
): ChartSpec {
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
  return { spec, description: `confusion matrix: ${correct} of ${labels.length} on the diagonal` };
}

export interface Point {
  x: number;
  y: number;
  label: string;
}

/** 2-D points coloured by class (PCA projections of embeddings). */
export function scatterChartSpec(points: readonly Point[], options: { title: string; x?: string; y?: string }): ChartSpec {
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
  return { spec, description: `${options.title}: ${points.length} points` };
}

/** Several runs on one chart (see lineChartSpec). */
export const lineChart = async (...args: Parameters<typeof lineChartSpec>): Promise<void> => show(lineChartSpec(...args));
/** Training curves of one or more runs (see historyChartSpec). */
export const historyChart = async (...args: Parameters<typeof historyChartSpec>): Promise<void> => show(historyChartSpec(...args));
/** Horizontal bars (see barChartSpec). */
export const barChart = async (...args: Parameters<typeof barChartSpec>): Promise<void> => show(barChartSpec(...args));
/** Confusion matrix heat map (see confusionMatrixSpec). */
export const confusionMatrix = async (...args: Parameters<typeof confusionMatrixSpec>): Promise<void> => show(confusionMatrixSpec(...args));
/** 2-D scatter coloured by class (see scatterChartSpec). */
export const scatterChart = async (...args: Parameters<typeof scatterChartSpec>): Promise<void> => show(scatterChartSpec(...args));
