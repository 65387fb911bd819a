import { closeSync, existsSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes a file into a drop folder atomically: to a hidden temporary name in the same
 * folder, fsync, then rename, then fsync the folder. An ERP's folder watcher therefore
 * sees either nothing or the whole file, never a half-written one. Returns false (and
 * writes nothing) when the file is already there: the name carries the idempotency key,
 * so a second delivery of the same item is a no-op.
 */
export function dropFileAtomically(folder: string, fileName: string, content: string | Uint8Array): { written: boolean; path: string } {
  if (/[\\/]/.test(fileName) || fileName.startsWith(".")) throw new Error(`not a plain file name: "${fileName}"`);
  const target = join(folder, fileName);
  if (existsSync(target)) return { written: false, path: target };
  const temp = join(folder, `.${fileName}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(temp, "wx");
  try {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  renameSync(temp, target);
  try {
    const dirFd = openSync(folder, "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some platforms (Windows) cannot open a folder for fsync; the rename is still atomic.
  }
  return { written: true, path: target };
}
