import { tf } from "../tf";
import { ExerciseError, passed } from "./feedback";

const MODEL = "Exercise 1 (CIFAR10CNN)";
const PER_CLASS = "Exercise 2 (per-class accuracy)";
const ASSIGNMENT = "Exercise 3 (Assignment 5: CIFAR-10 vs MNIST)";

interface ConvConfig {
  filters: number;
  kernelSize: number[];
  padding: string;
  activation: string;
}

/** Checks the learner's CIFAR10CNN against the guide's §17.2, block by block. */
export function checkCifar10CNN(model: tf.LayersModel): void {
  if (!model || typeof (model as tf.LayersModel).countParams !== "function") {
    throw new ExerciseError(MODEL, "buildCifar10CNN() must return a tf.Sequential model (did you forget `return`?).");
  }
  const input = model.inputs[0].shape;
  if (input.join(",") !== ",32,32,3") {
    const hint = input[3] === 1 ? " One channel is MNIST's grey; CIFAR-10 has 3 (red, green, blue)." : "";
    throw new ExerciseError(MODEL, `the input shape is [${input.map((d) => d ?? "batch").join(", ")}]; CIFAR-10 batches are [batch, 32, 32, 3] (inputShape: [32, 32, 3] on the first layer).${hint}`);
  }
  const kinds = model.layers.map((l) => l.getClassName());
  const convs = model.layers.filter((l) => l.getClassName() === "Conv2D");
  const pools = kinds.filter((k) => k === "MaxPooling2D").length;
  if (convs.length !== 3 || pools !== 3) {
    throw new ExerciseError(MODEL, `found ${convs.length} conv and ${pools} max-pool layer(s); the guide has 3 blocks of conv2d → ReLU → maxPooling2d(2).`);
  }
  const configs = convs.map((l) => l.getConfig() as unknown as ConvConfig);
  const filters = configs.map((c) => c.filters);
  if (filters.join(",") !== "32,64,128") {
    throw new ExerciseError(MODEL, `the conv layers have ${filters.join(" → ")} filters; the guide doubles them: 32 → 64 → 128.`);
  }
  if (configs.some((c) => c.kernelSize.join(",") !== "3,3")) {
    throw new ExerciseError(MODEL, `kernel sizes are ${configs.map((c) => c.kernelSize.join("×")).join(", ")}; use kernelSize: 3 in every conv layer.`);
  }
  if (configs.some((c) => c.padding !== "same")) {
    throw new ExerciseError(MODEL, `padding is ${configs.map((c) => c.padding).join(", ")}; the guide's padding=1 with a 3×3 kernel keeps the size: use padding: "same" (with "valid" every conv shrinks the image by 2 pixels and the flatten size is no longer 4·4·128 = 2048).`);
  }
  if (configs.some((c) => c.activation !== "relu") && !kinds.includes("ReLU") && !kinds.includes("Activation")) {
    throw new ExerciseError(MODEL, `conv activations are ${configs.map((c) => c.activation).join(", ")}; each conv is followed by a ReLU: activation: "relu".`);
  }
  const flatten = model.layers.find((l) => l.getClassName() === "Flatten");
  const flat = flatten?.outputShape as number[] | undefined;
  if (!flat || flat[1] !== 2048) {
    throw new ExerciseError(MODEL, flat ? `the flatten layer outputs ${flat[1]} numbers; after three 2×2 pools a 32×32 image is 4×4 with 128 channels = 2048. Check poolSize: 2 on each pool.` : "add tf.layers.flatten() between the last pool and the dense layers.");
  }
  const dense = model.layers.filter((l) => l.getClassName() === "Dense").map((l) => l.getConfig() as { units: number; activation: string });
  if (dense.map((d) => d.units).join(",") !== "256,10") {
    throw new ExerciseError(MODEL, `dense layer sizes are ${dense.map((d) => d.units).join(" → ") || "none"}; the guide's classifier is 2048 → 256 → 10.`);
  }
  if (dense[1].activation !== "linear") {
    throw new ExerciseError(MODEL, `the last layer has activation "${dense[1].activation}"; leave it linear: the loss applies softmax to the logits.`);
  }
  const params = model.countParams();
  if (params !== 620_362) {
    throw new ExerciseError(MODEL, `the model has ${params.toLocaleString("en-US")} parameters; the guide's CIFAR10CNN has 620,362 (check useBias and the ReLU after the 256-unit layer).`);
  }
  passed(MODEL, "3 conv blocks 32 → 64 → 128, flatten 2048 → 256 → 10, 620,362 parameters.");
}

/** Checks perClassAccuracy(labels, predictions, classes) on small cases with known answers. */
export function checkPerClassAccuracy(perClassAccuracy: (labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number) => number[]): void {
  const cases = [
    { labels: [0, 0, 1, 1, 1, 2], predictions: [0, 1, 1, 1, 0, 2], classes: 3, expected: [0.5, 2 / 3, 1], what: "three classes" },
    { labels: [1, 1], predictions: [1, 0], classes: 3, expected: [NaN, 0.5, NaN], what: "classes 0 and 2 never occur" },
  ];
  for (const c of cases) {
    const got = perClassAccuracy(Uint8Array.from(c.labels), Int32Array.from(c.predictions), c.classes);
    if (!Array.isArray(got) || got.length !== c.classes) {
      throw new ExerciseError(PER_CLASS, `for ${c.classes} classes return an array of ${c.classes} numbers, one per class; got ${JSON.stringify(got)}.`);
    }
    for (let k = 0; k < c.classes; k++) {
      const want = c.expected[k];
      if (Number.isNaN(want) ? !Number.isNaN(got[k]) : Math.abs(got[k] - want) > 1e-9) {
        const overall = c.labels.filter((l, i) => l === c.predictions[i]).length / c.labels.length;
        const hint = Number.isNaN(want)
          ? " A class with no test images has no accuracy: return NaN (0/0), not 0, so it is not mistaken for a class the model always gets wrong."
          : Math.abs(got[k] - overall) < 1e-9
            ? " That is the overall accuracy: divide the correct predictions of class k by the number of images whose label is k."
            : " Count, for each true class k, the images labelled k and how many of them are predicted k.";
        throw new ExerciseError(PER_CLASS, `${c.what}: labels ${JSON.stringify(c.labels)}, predictions ${JSON.stringify(c.predictions)} → expected class ${k} accuracy ${want}, got ${got[k]}.${hint}`);
      }
    }
  }
  passed(PER_CLASS, "correct / images per true class, NaN for a class that never occurs.");
}

export interface Assignment5Answer {
  /** Test accuracy of your CIFAR-10 run, as a fraction (0.62, not 62). */
  cifarAccuracy: number;
  /** Your best MNIST test accuracy from week 1 (BasicNN) or week 2 (SimpleCNN), as a fraction. */
  mnistAccuracy: number;
  /** The two CIFAR-10 classes with the lowest per-class accuracy in your run. */
  hardestClasses: string[];
  /** The most frequent mistake in your run: [true class, predicted class]. */
  mostConfused: [string, string];
}

export interface Assignment5Evidence {
  labels: ArrayLike<number>;
  predictions: ArrayLike<number>;
  classNames: readonly string[];
}

/**
 * Checks the Assignment 5 answer against this run's predictions: the accuracy, the gap to MNIST,
 * the hardest classes and the most common confusion all have to be read off the evidence.
 */
export function checkAssignment5(answer: Assignment5Answer, evidence: Assignment5Evidence): void {
  const { labels, predictions, classNames } = evidence;
  const k = classNames.length;
  const counts = new Array<number>(k * k).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i] * k + predictions[i]]++;
  const accuracy = classNames.reduce((s, _, c) => s + counts[c * k + c], 0) / labels.length;
  const perClass = classNames.map((_, c) => counts[c * k + c] / counts.slice(c * k, c * k + k).reduce((a, b) => a + b, 0));

  for (const field of ["cifarAccuracy", "mnistAccuracy"] as const) {
    const v = answer[field];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ExerciseError(ASSIGNMENT, `${field} must be a number, got ${JSON.stringify(v)}.`);
    if (v > 1) throw new ExerciseError(ASSIGNMENT, `${field} is ${v}: give accuracies as fractions (0.62), not percentages (62).`);
  }
  if (Math.abs(answer.cifarAccuracy - accuracy) > 5e-4) {
    throw new ExerciseError(ASSIGNMENT, `cifarAccuracy is ${answer.cifarAccuracy} but this run's predictions give ${accuracy.toFixed(4)}: use the test accuracy from evaluate() on the CIFAR-10 test set.`);
  }
  if (answer.mnistAccuracy < 0.9) {
    throw new ExerciseError(ASSIGNMENT, `mnistAccuracy ${answer.mnistAccuracy} is lower than any MNIST run of this course: week 1's BasicNN reaches about 0.97 and week 2's SimpleCNN about 0.99 — take the figure your own week 1 or 2 notebook printed.`);
  }
  if (answer.mnistAccuracy <= answer.cifarAccuracy) {
    throw new ExerciseError(ASSIGNMENT, `you report MNIST ${answer.mnistAccuracy} ≤ CIFAR-10 ${answer.cifarAccuracy}; re-check both numbers: the same kind of model does clearly worse on CIFAR-10.`);
  }
  const order = classNames.map((name, c) => ({ name, acc: perClass[c] })).sort((a, b) => a.acc - b.acc);
  const hardest = answer.hardestClasses;
  if (!Array.isArray(hardest) || hardest.length !== 2 || hardest.some((h) => !classNames.includes(h))) {
    throw new ExerciseError(ASSIGNMENT, `hardestClasses must be two class names out of ${classNames.join(", ")}; got ${JSON.stringify(hardest)}.`);
  }
  // Ties at the boundary: any class as bad as the second-worst counts.
  const worstTwo = order.filter((o) => o.acc <= order[1].acc + 1e-12).map((o) => o.name);
  const wrong = hardest.filter((h) => !worstTwo.includes(h));
  if (wrong.length > 0) {
    throw new ExerciseError(ASSIGNMENT, `${wrong.join(" and ")} ${wrong.length > 1 ? "are" : "is"} not among the two worst classes of this run (${order.slice(0, 3).map((o) => `${o.name} ${o.acc.toFixed(3)}`).join(", ")}, …): sort your per-class accuracies.`);
  }
  const pair = answer.mostConfused;
  if (!Array.isArray(pair) || pair.length !== 2 || pair.some((p) => !classNames.includes(p))) {
    throw new ExerciseError(ASSIGNMENT, `mostConfused must be [true class, predicted class], two names out of ${classNames.join(", ")}; got ${JSON.stringify(pair)}.`);
  }
  const off = (t: number, p: number) => (t === p ? -1 : counts[t * k + p]);
  const top = Math.max(...classNames.flatMap((_, t) => classNames.map((__, p) => off(t, p))));
  const [t, p] = pair.map((name) => classNames.indexOf(name));
  if (off(t, p) !== top) {
    const reversed = off(p, t) === top ? " You have it the wrong way round: the first name is the true class (the confusion matrix's row)." : "";
    throw new ExerciseError(ASSIGNMENT, `${pair[0]} predicted as ${pair[1]} happened ${Math.max(off(t, p), 0)} times, but the most frequent mistake happened ${top} times.${reversed} Look for the largest number off the diagonal of the confusion matrix.`);
  }
  const gap = (100 * (answer.mnistAccuracy - answer.cifarAccuracy)).toFixed(1);
  passed(ASSIGNMENT, `CIFAR-10 ${answer.cifarAccuracy.toFixed(3)} vs MNIST ${answer.mnistAccuracy.toFixed(3)} (${gap} points lower); hardest: ${hardest.join(", ")}; most common mistake: ${pair[0]} → ${pair[1]}.`);
}
