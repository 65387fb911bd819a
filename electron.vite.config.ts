import react from "@vitejs/plugin-react";
import { defineConfig } from "electron-vite";
import { resolve } from "node:path";

// Our folder names, not electron-vite's src/main, src/preload, src/renderer defaults.
export default defineConfig({
  main: {
    build: {
      outDir: "out/main",
      rolldownOptions: {
        input: {
          index: resolve("src-main/electron/main.ts"),
          // The engine runs in a utility process; its jobs in worker threads.
          engineProcess: resolve("src-main/electron/engineProcess.ts"),
          jobWorker: resolve("src-main/engine/jobs/jobWorker.ts"),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: "out/preload",
      rolldownOptions: {
        input: { index: resolve("src-main/electron/preload.ts") },
        // A sandboxed preload must be CommonJS.
        output: { format: "cjs", entryFileNames: "[name].cjs" },
      },
    },
  },
  renderer: {
    root: "src-renderer",
    build: {
      outDir: "out/renderer",
      rolldownOptions: { input: resolve("src-renderer/index.html") },
    },
    plugins: [react()],
  },
});
