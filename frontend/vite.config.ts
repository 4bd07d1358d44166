import { defineConfig } from "vite";

// Built assets land in dist/ with a manifest; Django (whitenoise) serves them under /static/.
export default defineConfig({
  base: "/static/",
  build: {
    outDir: "dist",
    manifest: true,
    // CodeMirror with three languages plus Yjs is one ~260 kB (gzip) chunk; that is expected.
    chunkSizeWarningLimit: 1000,
    emptyOutDir: true,
    rollupOptions: {
      input: { room: "src/room.ts", dashboard: "src/dashboard.ts", review: "src/review.ts", waiting: "src/waiting.ts" },
    },
  },
  test: { environment: "node" },
});
