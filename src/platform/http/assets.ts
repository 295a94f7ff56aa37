import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import * as sass from 'sass';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../../..');
const stylesDir = path.resolve(here, '../views/styles');
const govukDist = path.join(projectRoot, 'node_modules/govuk-frontend/dist/govuk');
const cacheDir = path.join(projectRoot, 'node_modules/.cache/waymark');

function stylesFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(stylesDir).sort()) hash.update(file).update(fs.readFileSync(path.join(stylesDir, file)));
  hash.update(fs.readFileSync(path.join(projectRoot, 'node_modules/govuk-frontend/package.json')));
  return hash.digest('hex').slice(0, 16);
}

let compiled: { css: string; fingerprint: string } | undefined;

/**
 * The stylesheet, compiled from Sass once per set of sources: kept in memory for the process
 * and on disk (node_modules/.cache) so test workers and restarts skip the 1 s compile.
 */
export function stylesheet(): { css: string; fingerprint: string } {
  if (compiled !== undefined) return compiled;
  const fingerprint = stylesFingerprint();
  const cached = path.join(cacheDir, `waymark-${fingerprint}.css`);
  if (fs.existsSync(cached)) {
    compiled = { css: fs.readFileSync(cached, 'utf8'), fingerprint };
    return compiled;
  }
  const result = sass.compile(path.join(stylesDir, 'waymark.scss'), {
    importers: [new sass.NodePackageImporter(projectRoot)],
    style: 'compressed',
    quietDeps: true,
  });
  fs.mkdirSync(cacheDir, { recursive: true });
  const temp = `${cached}.${process.pid}.tmp`;
  fs.writeFileSync(temp, result.css);
  fs.renameSync(temp, cached);
  compiled = { css: result.css, fingerprint };
  return compiled;
}

const ONE_YEAR = 365 * 24 * 60 * 60;

export async function registerAssets(app: FastifyInstance): Promise<void> {
  const { css, fingerprint } = stylesheet();
  app.decorate('assetVersion', fingerprint);
  app.get('/assets/waymark.css', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    return reply
      .type('text/css; charset=utf-8')
      .header('cache-control', `public, max-age=${ONE_YEAR}, immutable`)
      .send(css);
  });
  // govuk-frontend's script enhances components; every page works without it.
  await app.register(fastifyStatic, {
    root: path.join(here, 'public'),
    prefix: '/assets/app/',
    decorateReply: false,
    maxAge: ONE_YEAR * 1000,
    immutable: true,
  });
  await app.register(fastifyStatic, {
    root: govukDist,
    prefix: '/assets/govuk/',
    allowedPath: (pathName) => pathName === '/govuk-frontend.min.js',
    decorateReply: false,
    maxAge: ONE_YEAR * 1000,
    immutable: true,
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    assetVersion: string;
  }
}
