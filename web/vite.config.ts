// Vite builds the app into the Python package (src/milestone/webapp), which `milestone serve`
// serves at `/` and the wheel carries as package data. In development
// (`npm run dev`) the API runs beside it: `milestone serve --port 8000`, proxied under /api.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "../src/milestone/webapp",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/health": "http://127.0.0.1:8000",
    },
  },
});
