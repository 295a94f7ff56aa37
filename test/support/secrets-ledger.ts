import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The suite's record of every secret it handed out (passwords, tokens, cookies, codes), and
 * where the app under test writes its logs. After the run, scripts/test.ts greps the logs for
 * each remembered secret: none may appear.
 */
const root = path.resolve(import.meta.dirname, '../../test-results');

export function rememberSecret(value: string): void {
  if (value.length < 6) return;
  const dir = path.join(root, 'secrets');
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, `${process.pid}.txt`), `${value}\n`);
}

export function testLogDestination(): string {
  const dir = path.join(root, 'logs');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.log`);
}
