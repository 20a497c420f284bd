import { tf } from "../tf";
import { ExerciseError, passed } from "./feedback";

const COSINE = "Exercise 1 (cosine similarity)";
const HEAD = "Exercise 2 (transfer head)";

/** Checks buildHead(dim, classes): a small dense classifier from a frozen embedding to class logits. */
export function checkTransferHead(buildHead: (inputDim: number, numClasses: number) => tf.LayersModel): void {
  for (const [dim, classes] of [[256, 5], [1280, 10]] as const) {
    const model = buildHead(dim, classes);
    if (!model || typeof (model as tf.LayersModel).countParams !== "function") {
      throw new ExerciseError(HEAD, "buildHead() must return a tf.Sequential model (did you forget `return`?).");
    }
    const input = model.inputs[0].shape;
    if (input.length !== 2 || input[1] !== dim) {
      throw new ExerciseError(
        HEAD,
        `for ${dim}-d embeddings the input shape is [${input.map((d) => d ?? "batch").join(", ")}]; it should be [batch, ${dim}]: ` +
          "give the first layer inputShape: [inputDim] (use the argument, not a number: MobileNet v1 0.25 gives 256, v2 gives 1280).",
      );
    }
    const kinds = model.layers.map((l) => l.getClassName());
    const foreign = kinds.filter((k) => k !== "Dense" && k !== "Dropout");
    if (foreign.length) {
      throw new ExerciseError(HEAD, `the head has ${foreign.join(", ")} layer(s); on a flat embedding only dense (and optionally dropout) layers make sense — the convolutions are MobileNet's job.`);
    }
    const output = model.outputs[0].shape;
    if (output[1] !== classes) {
      throw new ExerciseError(HEAD, `with ${classes} classes the output has ${output[1]} units; the last dense layer needs units: numClasses.`);
    }
    const last = model.layers[model.layers.length - 1];
    const activation = (last.getConfig() as { activation?: string }).activation;
    if (activation !== "linear") {
      throw new ExerciseError(HEAD, `the last layer has activation "${activation}"; leave it linear: crossEntropy() applies the softmax to the logits itself.`);
    }
    const params = model.countParams();
    if (params > 1_000_000) {
      throw new ExerciseError(HEAD, `the head has ${params.toLocaleString("en-US")} parameters for ${dim}-d input; keep it small (one hidden layer of ≤ 256 units, or none): with a few hundred training images a big head only memorises.`);
    }
  }
  passed(HEAD, "embedding → dense layers → linear logits, sized by its arguments.");
}

/** Checks cosine(a, b) on vectors with known answers. */
export function checkCosineSimilarity(cosine: (a: Float32Array, b: Float32Array) => number): void {
  const v = (...xs: number[]) => Float32Array.from(xs);
  const cases: { a: Float32Array; b: Float32Array; expected: number; what: string; hint: string }[] = [
    { a: v(1, 2, 3), b: v(1, 2, 3), expected: 1, what: "a vector with itself", hint: "divide the dot product by the product of the two lengths (L2 norms)" },
    { a: v(1, 0), b: v(0, 5), expected: 0, what: "perpendicular vectors", hint: "the dot product Σ a[i]·b[i] is 0 here" },
    { a: v(1, 2, 3), b: v(-2, -4, -6), expected: -1, what: "opposite directions", hint: "keep the sign: do not take an absolute value" },
    { a: v(3, 4), b: v(30, 40), expected: 1, what: "the same direction at 10× the length", hint: "cosine ignores length: divide by both norms, √Σa² · √Σb²" },
    { a: v(1, 1, 0, 0), b: v(1, 0, 1, 0), expected: 0.5, what: "[1,1,0,0] vs [1,0,1,0]", hint: "dot = 1, each norm = √2, so 1 / 2" },
  ];
  for (const c of cases) {
    const got = cosine(c.a, c.b);
    if (typeof got !== "number") throw new ExerciseError(COSINE, `cosine() returned ${typeof got}; return a plain number.`);
    if (!(Math.abs(got - c.expected) < 1e-5)) {
      throw new ExerciseError(COSINE, `for ${c.what} it returned ${got}, expected ${c.expected}: ${c.hint}.`);
    }
  }
  const zero = cosine(v(0, 0, 0), v(1, 2, 3));
  if (!Number.isFinite(zero) || zero !== 0) {
    throw new ExerciseError(COSINE, `with an all-zero vector it returned ${zero}; return 0 (no direction, so no similarity) instead of dividing by zero.`);
  }
  passed(COSINE, "dot product over the product of the norms; 1 same direction, 0 unrelated, −1 opposite.");
}
