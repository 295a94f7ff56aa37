import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { CLI_NODE_FLAGS } from '../../src/cli/node-flags.ts';
import { type Db, openEmbedded, openPostgres } from '../../src/db/database.ts';
import { testDatabaseKind, testPostgresUrl } from './db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');

/** Settings from the developer's shell that would change what a command does: each test sets its own. */
const UNSET = new Set(['DATABASE_URL', 'WAYMARK_DATA_DIR', 'PORT', 'HOST', 'SESSION_SECRET', 'LOG_LEVEL', 'PUBLIC_URL', 'SMTP_URL', 'MAIL_FROM']);

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The `waymark` command run as a subprocess, the way an operator or cron runs it, on a data
 * folder of its own (embedded project) or the PostgreSQL test database (postgres project).
 */
export interface CliWorkspace {
  /** A scratch folder for files the test hands to the command; removed by `remove()`. */
  workDir: string;
  run: (args: readonly string[], env?: Readonly<Record<string, string>>) => Promise<Finished>;
  /** The database in this process, only while no command holds the embedded folder. */
  withDb: <T>(fn: (db: Db) => Promise<T>) => Promise<T>;
  /** Writes a file into the scratch folder and returns its path. */
  writeFile: (name: string, content: string | Buffer) => string;
  remove: () => void;
}

export function cliWorkspace(name: string): CliWorkspace {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `waymark-${name}-`));
  const target: { dataDir: string } | { databaseUrl: string } =
    testDatabaseKind() === 'postgres' ? { databaseUrl: testPostgresUrl() } : { dataDir: path.join(workDir, 'data') };
  return {
    workDir,
    run(args, extra = {}) {
      const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !UNSET.has(key)));
      env.NODE_ENV = 'development';
      if ('dataDir' in target) env.WAYMARK_DATA_DIR = target.dataDir;
      else env.DATABASE_URL = target.databaseUrl;
      const child = spawn(process.execPath, [...CLI_NODE_FLAGS, MAIN, ...args], { cwd: ROOT, env: { ...env, ...extra } });
      child.stdin.end();
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code) => {
          expect(stderr).not.toMatch(/^ {4}at /m);
          resolve({ code, stdout, stderr });
        });
      });
    },
    async withDb(fn) {
      const handle = 'dataDir' in target ? await openEmbedded(target.dataDir) : openPostgres(target.databaseUrl, { max: 2 });
      try {
        return await fn(handle.db);
      } finally {
        await handle.close();
      }
    },
    writeFile(fileName, content) {
      const file = path.join(workDir, fileName);
      fs.writeFileSync(file, content);
      return file;
    },
    remove() {
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}
