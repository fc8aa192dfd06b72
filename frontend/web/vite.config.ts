import { defineConfig } from "vitest/config";

export default defineConfig({
  // Served from any path: the web server (serve.py) and the API's origin are separate.
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  test: { environment: "jsdom", globals: true, include: ["src/**/*.test.js"] },
});
