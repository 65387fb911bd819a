import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { IngestResult } from "../../../src-shared/api";
import { UserError } from "../handlerRegistry";
import type { Store } from "../store/store";
import { ingestFile, type IngestOptions } from "./ingestFile";

/** Files under the given paths (folders walked recursively, hidden files skipped), sorted for a stable order. */
export function expandPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (path: string) => {
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "there is no such file or folder" : (error as Error).message;
      throw new UserError("PATH_NOT_FOUND", `Cannot import ${path}: ${reason}.`);
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (!name.startsWith(".")) walk(join(path, name));
      }
    } else if (stat.isFile()) {
      files.push(path);
    }
  };
  for (const path of paths) walk(path);
  return files;
}

export interface IngestPathsOptions extends Omit<IngestOptions, "onProgress"> {
  onProgress?: (progress: { file: string; fileIndex: number; files: number; done: number; total: number }) => void;
}

export function ingestPaths(store: Store, paths: readonly string[], options: IngestPathsOptions = {}): IngestResult {
  const files = expandPaths(paths);
  const result: IngestResult = { files: [], records: 0, loaded: 0, quarantined: 0, duplicates: 0 };
  files.forEach((file, fileIndex) => {
    const summary = ingestFile(store, file, {
      ...options,
      onProgress: (p) => options.onProgress?.({ file: p.file, fileIndex, files: files.length, done: p.done, total: p.total }),
    });
    result.files.push(summary);
    result.records += summary.records;
    result.loaded += summary.loaded;
    result.quarantined += summary.quarantined;
    result.duplicates += summary.duplicates;
  });
  return result;
}
