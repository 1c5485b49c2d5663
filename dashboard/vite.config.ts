import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { ClientRequest } from 'node:http';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));
const functionsUrl = process.env.FUNCTIONS_URL ?? 'http://127.0.0.1:5000';
const bridgeUrl = process.env.BRIDGE_URL ?? 'http://127.0.0.1:5001';

/**
 * A fresh EventSource cannot set Last-Event-ID itself, so after a hard reconnect the app sends
 * `?lastEventId=`; the proxy turns it into the header the bridge resumes from (the production
 * server does the same).
 */
function forwardLastEventId(proxyReq: ClientRequest, req: IncomingMessage): void {
  if (req.headers['last-event-id']) return;
  const id = new URL(req.url ?? '/', 'http://x').searchParams.get('lastEventId');
  if (id) proxyReq.setHeader('Last-Event-ID', id);
}

export default defineConfig({
  root,
  plugins: [vue()],
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
  },
  server: {
    port: 8080,
    strictPort: true,
    proxy: {
      '/api': { target: functionsUrl, changeOrigin: true },
      '/events': {
        target: bridgeUrl,
        changeOrigin: true,
        configure: (proxy) => {
          proxy.on('proxyReq', forwardLastEventId);
        },
      },
    },
  },
  preview: { port: 8080 },
});
