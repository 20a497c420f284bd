import * as fs from "node:fs";

/** Set by the notebook runner (ci/run-notebooks.ts) to collect each notebook's figures. */
export const METRICS_FILE_ENV = "COURSE_METRICS_FILE";

export type MetricValue = number | string | boolean;

/**
 * Records the figures a notebook wants checked (test accuracy, epochs, seconds, backend…).
 * The learner sees them as a small table; when the runner set COURSE_METRICS_FILE they are
 * also merged into that JSON file, which is how CI reads them.
 */
export function recordMetrics(metrics: Record<string, MetricValue>): void {
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new Error(`recordMetrics: ${key} is ${value}; a metric must be a finite number.`);
    }
  }
  const width = Math.max(...Object.keys(metrics).map((k) => k.length));
  console.log(
    Object.entries(metrics)
      .map(([k, v]) => `${k.padEnd(width)}  ${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : v}`)
      .join("\n"),
  );
  const file = process.env[METRICS_FILE_ENV];
  if (!file) return;
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as object) : {};
  fs.writeFileSync(file, JSON.stringify({ ...previous, ...metrics }, null, 2));
}
