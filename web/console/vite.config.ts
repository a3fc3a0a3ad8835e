// The console is served by the server at /console/ (routes_console.cpp) under a strict CSP:
// no inline script or style, nothing from another origin. So: absolute asset URLs under
// /console/, no module-preload polyfill, no asset inlined as a data: URL.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
