import { defineConfig } from "vite";

// Built assets land in dist/ with a manifest; Django (whitenoise) serves them under /static/.
export default defineConfig({
  base: "/static/",
  build: {
    outDir: "dist",
    manifest: true,
    emptyOutDir: true,
    rollupOptions: {
      input: { room: "src/room.ts" },
    },
  },
  test: { environment: "node" },
});
