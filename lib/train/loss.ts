import { tf } from "../tf";

/**
 * The guide's nn.CrossEntropyLoss: softmax over the class scores, then the mean negative
 * log-probability of the true class. `labels` are class indices, as in PyTorch.
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits) as tf.Scalar;
  });
}

/** How many predictions (argmax of the scores) equal the labels, as a scalar tensor. */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, "int32")), "int32")) as tf.Scalar);
}
