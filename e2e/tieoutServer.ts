import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningTieout {
  loginUrl: string;
  baseUrl: string;
  dbPath: string;
  dataDir: string;
  /** Stops the server; the data folder is removed unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts `tieout serve` as a user would, on a fresh temporary database, and waits for
 * the address it prints. Each test gets its own database and data folder.
 */
export async function startTieout(options: { dataDir?: string; args?: string[] } = {}): Promise<RunningTieout> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "tieout-e2e-"));
  const extraArgs = options.args ?? [];
  const dbPath = join(dataDir, "tieout.db");
  const child: ChildProcess = spawn(process.execPath, ["bin/tieout.mjs", "serve", "--db", dbPath, "--port", "0", ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const loginUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tieout serve did not print its address in time:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open: (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tieout serve exited with ${code}:\n${output}`));
    });
  });
  return {
    loginUrl,
    baseUrl: loginUrl.replace(/#.*$/, ""),
    dbPath,
    dataDir,
    async stop(stopOptions) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      if (!stopOptions?.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
