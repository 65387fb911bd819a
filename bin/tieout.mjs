#!/usr/bin/env node
// The `tieout` command: runs the CLI from its TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src-main/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
