// `vite build --config web/vite.config.ts` (part of `npm run build`): the UI into dist/web, which the
// server serves (server/routes/status-page.ts). No inline scripts or styles in the output, so the
// server's CSP can stay `default-src 'self'`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const webDir = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [react()],
  // vite.config.ts lives in web/, so no public/ folder lookup in the repository root.
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Small assets inlined as data: URLs would be blocked by nothing, but keep every asset a file.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    // `vite --config web/vite.config.ts` during development: the API comes from a running server.
    proxy: { '/api': 'http://127.0.0.1:7070' },
  },
});
