import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The same React app, built for web mode (served by `tieout serve`). */
export default defineConfig({
  root: "src-renderer",
  base: "/",
  plugins: [react()],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
  },
});
