import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import { ADMIN_SCRIPT_URL, STYLESHEET_URL } from '../../http/pages/layout.ts';

const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../http/pages/assets');

const ASSETS = [
  { url: STYLESHEET_URL, file: 'ainfo.css', type: 'text/css; charset=utf-8' },
  { url: ADMIN_SCRIPT_URL, file: 'admin.js', type: 'text/javascript; charset=utf-8' },
] as const;

/**
 * The shared stylesheet and the admin script, from our own origin (no CDN), read once at start.
 * Public, short-cached: they hold no data.
 */
const assetsRoutes: FastifyPluginAsync = async (app) => {
  for (const asset of ASSETS) {
    const body = await readFile(path.join(ASSETS_DIR, asset.file), 'utf8');
    app.get(asset.url, { schema: { hide: true } }, (_request, reply) =>
      reply
        .header('content-type', asset.type)
        .header('cache-control', 'public, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(body),
    );
  }
};

export default assetsRoutes;
