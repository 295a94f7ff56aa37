import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS } from '../db/seed/demo.ts';
import { passwordProblems } from '../modules/auth/passwords.ts';
import { CLI_NODE_FLAGS } from './node-flags.ts';
import { generateOneTimePassword } from './one-time-password.ts';
import { demoSignInLines } from './seed.command.ts';
import { columns, withoutFinalNewline } from './support.ts';

describe('one-time passwords for accounts created at the terminal', () => {
  it('pass the password rules for the person’s email, every time', () => {
    for (const email of ['ann@example.org', 'abcde@example.org', 'x@y.example']) {
      for (let i = 0; i < 200; i++) {
        expect(passwordProblems(generateOneTimePassword(email), { email })).toEqual([]);
      }
    }
  });

  it('are four groups of five easy-to-read characters, different each time', () => {
    const passwords = Array.from({ length: 500 }, () => generateOneTimePassword('ann@example.org'));
    for (const password of passwords) expect(password).toMatch(/^[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});

describe('reading a password from a pipe', () => {
  it('removes the one newline echo adds, and nothing else', () => {
    expect(withoutFinalNewline('correct horse battery\n')).toBe('correct horse battery');
    expect(withoutFinalNewline('correct horse battery\r\n')).toBe('correct horse battery');
    expect(withoutFinalNewline('  spaces kept  \n\n')).toBe('  spaces kept  \n');
    expect(withoutFinalNewline('no newline')).toBe('no newline');
  });
});

describe('terminal output', () => {
  it('aligns columns, leaving the last one ragged', () => {
    expect(columns([['a', 'bb', 'x'], ['ccc', 'd', 'y']])).toEqual(['  a     bb   x', '  ccc   d    y']);
  });

  it('gives the demo sign-in details: every email, its role and the shared password', () => {
    const text = demoSignInLines('http://localhost:3000').join('\n');
    expect(text).toContain('http://localhost:3000/sign-in');
    for (const user of DEMO_USERS) expect(text).toMatch(new RegExp(`${user.email.replaceAll('.', '\\.')} +${user.roles[0]?.role ?? ''} `));
    expect(text).toContain(DEMO_PASSWORD);
  });
});

describe('the Node flags of the waymark command', () => {
  const root = path.resolve(import.meta.dirname, '../..');

  it('are the same in the shebang of bin/waymark.js, the waymark npm script and CLI_NODE_FLAGS', () => {
    const shebang = readFileSync(path.join(root, 'bin/waymark.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${CLI_NODE_FLAGS.join(' ')}`);
    const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.waymark).toBe(`node ${CLI_NODE_FLAGS.join(' ')} bin/waymark.js`);
  });

  it('are accepted by this Node', () => {
    const run = spawnSync(process.execPath, [...CLI_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
