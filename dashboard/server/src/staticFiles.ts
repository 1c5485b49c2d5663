import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { contentType } from './contentTypes';
import { sendJson } from '../../../kit/src';

/** Vite puts content-hashed files under assets/: they never change, so they cache forever. */
const HASHED = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

async function fileAt(distDir: string, urlPath: string): Promise<{ file: string; size: number } | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.join(distDir, path.normalize(decoded));
  // Never serve anything outside the build directory (../ in the path).
  if (file !== distDir && !file.startsWith(distDir + path.sep)) return null;
  try {
    const info = await stat(file);
    return info.isFile() ? { file, size: info.size } : null;
  } catch {
    return null;
  }
}

function send(req: IncomingMessage, res: ServerResponse, file: string, size: number, cacheControl: string): void {
  res.writeHead(200, {
    'Content-Type': contentType(file),
    'Content-Length': size,
    'Cache-Control': cacheControl,
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * The built app. Paths without a file extension that match no file get index.html, so a
 * reload on any client-side path still opens the app; a missing asset is a plain 404.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  distDir: string,
  urlPath: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    sendJson(res, 405, { error: `method ${req.method} not allowed` });
    return;
  }
  const found = urlPath === '/' ? null : await fileAt(distDir, urlPath);
  if (found) {
    send(req, res, found.file, found.size, HASHED.test(urlPath) ? 'public, max-age=31536000, immutable' : 'no-cache');
    return;
  }
  if (path.extname(urlPath) !== '' && urlPath !== '/index.html') {
    sendJson(res, 404, { error: `not found: ${urlPath}` });
    return;
  }
  const index = await fileAt(distDir, '/index.html');
  if (!index) {
    sendJson(res, 503, {
      error: `the dashboard is not built: ${path.join(distDir, 'index.html')} is missing (run npm run dashboard:build)`,
    });
    return;
  }
  // index.html names the current hashed bundles: always revalidate it.
  send(req, res, index.file, index.size, 'no-cache');
}
