/**
 * Reading a big file in bounded memory, synchronously (better-sqlite3 is synchronous and
 * so are ingestFile's callers: jobs, CLI, demo).
 */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { decodeText } from "../../../connectors/decode";

export const CHUNK_BYTES = 4 * 1024 * 1024;

/** Calls `onChunk` with each chunk of the file in order (the buffer is reused: copy what you keep). */
export function readChunks(path: string, onChunk: (chunk: Buffer, position: number) => void, chunkBytes = CHUNK_BYTES): void {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let position = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, chunkBytes, position);
      if (n <= 0) break;
      onChunk(buffer.subarray(0, n), position);
      position += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** The first `maxBytes` of a file. */
export function readHead(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(maxBytes);
    const n = readSync(fd, buffer, 0, maxBytes, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export interface FileScan {
  sha256: string;
  /** How decodeText would read the whole file. */
  encoding: "utf-8" | "utf-16le" | "utf-16be" | "latin1";
  /** Bytes to skip at the start (a UTF-8 byte-order mark). */
  skipBytes: number;
  /** decodeText's note for the whole file ("not valid UTF-8; read as Latin-1 …"), or null. */
  note: string | null;
}

/**
 * One pass over the file: its SHA-256 (for the duplicate-file check, before any parsing)
 * and the encoding decodeText would choose for the whole file. decodeText decides UTF-16
 * from the first bytes and UTF-8 versus Latin-1 from every byte, so validity is checked
 * here over the whole file, with a streaming decoder.
 */
export function scanFile(path: string): FileScan {
  const hash = createHash("sha256");
  const head = readHead(path, 4096);
  const headDecoded = decodeText(head);
  const wide = headDecoded.encoding === "utf-16le" || headDecoded.encoding === "utf-16be";
  const utf8Bom = headDecoded.encoding === "utf-8" && headDecoded.hadBom;
  let validUtf8 = !wide;
  const checker = new TextDecoder("utf-8", { fatal: true });
  readChunks(path, (chunk) => {
    hash.update(chunk);
    if (validUtf8) {
      try {
        checker.decode(chunk, { stream: true });
      } catch {
        validUtf8 = false;
      }
    }
  });
  if (validUtf8) {
    try {
      checker.decode();
    } catch {
      validUtf8 = false;
    }
  }
  const sha256 = hash.digest("hex");
  if (wide) return { sha256, encoding: headDecoded.encoding, skipBytes: headDecoded.hadBom ? 2 : 0, note: headDecoded.note };
  if (utf8Bom || validUtf8) return { sha256, encoding: "utf-8", skipBytes: utf8Bom ? 3 : 0, note: null };
  return { sha256, encoding: "latin1", skipBytes: 0, note: "not valid UTF-8; read as Latin-1 (ISO-8859-1)" };
}

/**
 * Decoded text of the file, chunk by chunk, in the encoding scanFile chose (a multi-byte
 * character split across chunks is kept whole by the streaming decoder).
 */
export function readTextChunks(
  path: string,
  scan: FileScan,
  onText: (text: string, bytesRead: number) => void,
  chunkBytes = CHUNK_BYTES,
): void {
  // The same decoder settings as decodeText (which skips a UTF-8 mark, then decodes the rest).
  const decoder = new TextDecoder(scan.encoding);
  let bytesRead = 0;
  readChunks(
    path,
    (chunk, position) => {
      const bytes = position === 0 ? chunk.subarray(scan.skipBytes) : chunk;
      bytesRead = position + chunk.length;
      onText(decoder.decode(bytes, { stream: true }), bytesRead);
    },
    chunkBytes,
  );
  const rest = decoder.decode();
  if (rest !== "") onText(rest, bytesRead);
}
