// Just enough of the tar format (POSIX ustar, as GNU tar and Python's tarfile write it) to take
// regular files out of a dataset archive, so no archive package is needed.

const BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive, e.g. "cifar-10-batches-bin/data_batch_1.bin". */
  name: string;
  /** The file's bytes: a view into the archive, not a copy. */
  data: Uint8Array;
}

/**
 * The regular files of an uncompressed tar archive, in archive order. GNU long names are applied;
 * directories, links and pax records are skipped. `source` names the archive in errors.
 */
export function* tarEntries(archive: Uint8Array, source: string): Generator<TarEntry> {
  const fail = (offset: number, what: string) =>
    new Error(`${source} is not a valid tar archive: ${what} at byte ${offset}. Fix: delete it and run again to re-download.`);
  let longName: string | undefined;
  let offset = 0;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return; // the end-of-archive marker
    if (checksum(header) !== octal(header, 148, 8)) throw fail(offset, "header checksum mismatch");
    const size = octal(header, 124, 12);
    const start = offset + BLOCK;
    if (Number.isNaN(size) || start + size > archive.length) throw fail(offset, "entry runs past the end of the archive (truncated?)");
    const type = String.fromCharCode(header[156]);
    if (type === "L") {
      longName = text(archive.subarray(start, start + size), 0, size);
    } else {
      if (type === "0" || type === "\0") {
        // Only POSIX ustar has a name prefix; old GNU headers keep timestamps in those bytes.
        const prefix = text(header, 257, 6) === "ustar" ? text(header, 345, 155) : "";
        const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
        yield { name, data: archive.subarray(start, start + size) };
      }
      longName = undefined;
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw fail(offset, "no end-of-archive marker (truncated?)");
}

/** The header checksum: the sum of all 512 bytes with the checksum field itself read as spaces. */
function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum;
}

function octal(header: Uint8Array, start: number, length: number): number {
  const digits = text(header, start, length).trim();
  return /^[0-7]+$/.test(digits) ? parseInt(digits, 8) : NaN;
}

function text(header: Uint8Array, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return Buffer.from(end < 0 ? field : field.subarray(0, end)).toString("utf8");
}
