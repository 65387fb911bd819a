// Worker bootstrap for running from TypeScript sources (CLI, web server, tests):
// register tsx in this thread, then load the real worker. The Electron build
// bundles jobWorker.ts directly and never uses this file.
import { register } from "tsx/esm/api";

register();
await import("./jobWorker.ts");
