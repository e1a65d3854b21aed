// The console's build: hashed assets under /assets (served with a long cache by Hermod),
// index.html at the root (served without one). `npm run dev` is not needed: Hermod serves
// the built files; rebuild with `npm run build:console`.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
});
