import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src-shared/**/*.test.ts", "connectors/**/*.test.ts", "src-main/**/*.test.ts", "fixtures/**/*.test.ts", "bench/**/*.test.ts"],
    exclude: ["node_modules", "out", "dist", "e2e"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: two test files at a time.
    maxWorkers: 2,
  },
});
