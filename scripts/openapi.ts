// Writes docs/openapi.json from the route schemas: `npm run openapi`. A test fails when the
// committed file and the running app disagree, so client generators always get the truth.
import fs from 'node:fs';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import { openEmbedded } from '../src/db/database.ts';
import { createLogger } from '../src/platform/logger.ts';
import { openApiDocumentText } from '../src/platform/http/openapi-document.ts';

const database = await openEmbedded('memory://');
const app = await buildApp({ config: loadConfig({ NODE_ENV: 'test' }), database, logger: createLogger('silent') });
await app.ready();
const target = path.resolve(import.meta.dirname, '../docs/openapi.json');
fs.writeFileSync(target, openApiDocumentText(app));
await app.close();
await database.close();
console.log(`Wrote ${path.relative(process.cwd(), target)}`);
