// How big an index is: saved to a temporary folder and measured. For hnswlib the file is its
// in-memory layout (vectors + graph links), so this is also a fair estimate of its memory.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { VectorIndex } from "./vector_index";

export async function indexBytes(index: VectorIndex): Promise<number> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "index-size-"));
  try {
    await index.save(dir);
    return (await fs.promises.stat(path.join(dir, "index.bin"))).size;
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
