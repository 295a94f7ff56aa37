import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkSecretsInLogs, findLeaks, secretForms, secretsVerdict } from './secrets-in-logs.ts';

describe('findLeaks', () => {
  it('finds a secret written as is, naming the log and only the start of the secret', () => {
    const leaks = findLeaks(
      ['correct-horse-battery'],
      [{ file: 'a.log', text: '{"msg":"login","password":"correct-horse-battery"}\n' }],
    );
    expect(leaks).toEqual([{ file: 'a.log', secretStart: 'correct-…', form: 'as is' }]);
  });

  it('finds a secret the logger escaped or a URL encoded', () => {
    const logs = [
      { file: 'json.log', text: String.raw`{"msg":"pass\"word\\1"}` },
      { file: 'url.log', text: '{"url":"/invite?token=a%2Fb%2Bc%3Dtoken"}' },
    ];
    const leaks = findLeaks(['pass"word\\1', 'a/b+c=token'], logs);
    expect(leaks).toEqual([
      { file: 'json.log', secretStart: 'pass"wor…', form: 'JSON-escaped' },
      { file: 'url.log', secretStart: 'a/b+c=to…', form: 'URL-encoded' },
    ]);
  });

  it('reports each secret once per log, and in every log it appears in', () => {
    const leaks = findLeaks(
      ['s3cr3t-token'],
      [
        { file: 'a.log', text: 's3cr3t-token s3cr3t-token' },
        { file: 'b.log', text: 'x s3cr3t-token' },
      ],
    );
    expect(leaks.map((l) => l.file)).toEqual(['a.log', 'b.log']);
  });

  it('finds secrets that share their first characters, and ignores near misses and short values', () => {
    const text = 'token abcdef-1111 and abcdef-222 and 12345';
    const leaks = findLeaks(['abcdef-1111', 'abcdef-2222', 'abcdef-222', '12345'], [{ file: 'a.log', text }]);
    expect(leaks.map((l) => l.secretStart)).toEqual(['abcdef-1…', 'abcdef-2…']);
    expect(leaks).toHaveLength(2);
  });

  it('finds a secret at the very end of a log', () => {
    expect(findLeaks(['ending'], [{ file: 'a.log', text: 'xxending' }])).toHaveLength(1);
  });

  it('finds nothing in clean logs', () => {
    expect(findLeaks(['hunter22'], [{ file: 'a.log', text: '{"password":"[Redacted]"}' }])).toEqual([]);
    expect(findLeaks([], [{ file: 'a.log', text: 'anything' }])).toEqual([]);
  });
});

describe('secretForms', () => {
  it('lists each distinct form once', () => {
    expect(secretForms('plainvalue').map((f) => f.form)).toEqual(['as is']);
    expect(secretForms('with space').map((f) => f.text)).toEqual([
      'with space',
      'with%20space',
      'with+space',
    ]);
  });
});

describe('secretsVerdict', () => {
  const healthy = { logFiles: 3, logBytes: 1000, secrets: 10, leaks: [], filtered: false };

  it('passes when there are logs and secrets and no leak', () => {
    expect(secretsVerdict(healthy)).toEqual({ ok: true, lines: [] });
  });

  it('fails on a leak, even in a filtered run', () => {
    const verdict = secretsVerdict({
      ...healthy,
      filtered: true,
      leaks: [{ file: 'a.log', secretStart: 'abcdefgh…', form: 'as is' }],
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.lines).toEqual(['secret abcdefgh… appears (as is) in a.log']);
  });

  it('fails when a full run left no logs or no secrets, since it would prove nothing', () => {
    expect(secretsVerdict({ ...healthy, logFiles: 0, logBytes: 0 }).ok).toBe(false);
    expect(secretsVerdict({ ...healthy, logBytes: 0 }).ok).toBe(false);
    const noSecrets = secretsVerdict({ ...healthy, secrets: 0 });
    expect(noSecrets.ok).toBe(false);
    expect(noSecrets.lines[0]).toMatch(/no secret was remembered/);
  });

  it('only warns about missing logs or secrets when the run was filtered', () => {
    const verdict = secretsVerdict({ logFiles: 0, logBytes: 0, secrets: 0, leaks: [], filtered: true });
    expect(verdict.ok).toBe(true);
    expect(verdict.lines).toHaveLength(2);
    expect(verdict.lines.every((line) => line.startsWith('warning:'))).toBe(true);
  });
});

describe('checkSecretsInLogs', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the secrets and logs folders of a test-results folder', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-secrets-'));
    fs.mkdirSync(path.join(dir, 'secrets'));
    fs.mkdirSync(path.join(dir, 'logs'));
    fs.writeFileSync(path.join(dir, 'secrets', '1.txt'), 'session-cookie-value\nshort\n');
    fs.writeFileSync(path.join(dir, 'secrets', '2.txt'), 'api-token-123456\n');
    fs.writeFileSync(path.join(dir, 'logs', '1-aa.log'), '{"msg":"request","cookie":"[Redacted]"}\n');
    fs.writeFileSync(path.join(dir, 'logs', '2-bb.log'), '{"msg":"created","token":"api-token-123456"}\n');

    const result = checkSecretsInLogs(dir, false);
    expect(result.ok).toBe(false);
    expect(result.summary).toBe('2 secrets searched for in 2 log files');
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(/^secret api-toke… appears \(as is\) in .*2-bb\.log$/);
  });

  it('fails on an empty folder unless the run was filtered', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-secrets-'));
    expect(checkSecretsInLogs(dir, false).ok).toBe(false);
    expect(checkSecretsInLogs(dir, true).ok).toBe(true);
  });
});
