#!/usr/bin/env node
// The `tieout` command: runs the CLI from its TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
// `tieout … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import("../src-main/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
