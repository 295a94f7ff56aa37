import fs from 'node:fs';
import path from 'node:path';

/**
 * The "no secrets in logs" check. While the tests run, the app under test writes its logs to
 * test-results/logs/*.log and the test helpers write every secret they create (passwords,
 * tokens, cookie values, codes) to test-results/secrets/*.txt, one a line (see
 * test/support/secrets-ledger.ts). Afterwards every log is searched for every secret, as is and
 * in the escaped forms a logger or a URL would give it.
 */

/** Secrets shorter than this are ignored, as test/support/secrets-ledger.ts ignores them. */
export const minimumSecretLength = 6;

export interface Leak {
  file: string;
  /** The first characters of the secret, enough to find it in the tests, not the whole of it. */
  secretStart: string;
  form: string;
}

/** The ways a secret can be written in a log line: as is, JSON-escaped, URL-encoded. */
export function secretForms(secret: string): { form: string; text: string }[] {
  const forms = [
    { form: 'as is', text: secret },
    { form: 'JSON-escaped', text: JSON.stringify(secret).slice(1, -1) },
    { form: 'URL-encoded', text: encodeURIComponent(secret) },
    { form: 'form-encoded', text: new URLSearchParams({ s: secret }).toString().slice(2) },
  ];
  const distinct = new Map<string, { form: string; text: string }>();
  for (const f of forms) {
    if (f.text.length >= minimumSecretLength && !distinct.has(f.text)) distinct.set(f.text, f);
  }
  return [...distinct.values()];
}

/** The first eight characters of a secret and an ellipsis, for messages. */
export function secretStart(secret: string): string {
  return `${secret.slice(0, 8)}…`;
}

/**
 * Every (log, secret) pair where the secret appears in the log, in one pass over each log: the
 * secrets are indexed by their first characters, so thousands of secrets cost no more than a few.
 */
export function findLeaks(secrets: Iterable<string>, logs: Iterable<{ file: string; text: string }>): Leak[] {
  const keyLength = minimumSecretLength;
  const index = new Map<string, { secret: string; form: string; text: string }[]>();
  for (const secret of new Set(secrets)) {
    if (secret.length < minimumSecretLength) continue;
    for (const { form, text } of secretForms(secret)) {
      const key = text.slice(0, keyLength);
      const bucket = index.get(key);
      if (bucket) bucket.push({ secret, form, text });
      else index.set(key, [{ secret, form, text }]);
    }
  }
  const leaks: Leak[] = [];
  if (index.size === 0) return leaks;
  for (const { file, text } of logs) {
    const found = new Set<string>();
    for (let i = 0; i + keyLength <= text.length; i++) {
      const bucket = index.get(text.slice(i, i + keyLength));
      if (!bucket) continue;
      for (const candidate of bucket) {
        if (found.has(candidate.secret) || !text.startsWith(candidate.text, i)) continue;
        found.add(candidate.secret);
        leaks.push({ file, secretStart: secretStart(candidate.secret), form: candidate.form });
      }
    }
  }
  return leaks;
}

export interface SecretsVerdict {
  ok: boolean;
  /** Lines to print, errors and warnings alike. */
  lines: string[];
}

/**
 * The check's outcome. Leaks always fail it. With no log (or an empty one only) or no secret it
 * proves nothing, so it fails too; unless the run was filtered by command-line arguments, where
 * the filter may well have left out every test that signs in: then it only warns.
 */
export function secretsVerdict(input: {
  logFiles: number;
  logBytes: number;
  secrets: number;
  leaks: Leak[];
  filtered: boolean;
}): SecretsVerdict {
  const lines: string[] = [];
  let ok = true;
  for (const leak of input.leaks.slice(0, 50)) {
    lines.push(`secret ${leak.secretStart} appears (${leak.form}) in ${leak.file}`);
  }
  if (input.leaks.length > 50) lines.push(`… and ${input.leaks.length - 50} more`);
  if (input.leaks.length > 0) ok = false;

  const missing: string[] = [];
  if (input.logFiles === 0 || input.logBytes === 0)
    missing.push('no application log was written to test-results/logs/');
  if (input.secrets === 0) missing.push('no secret was remembered in test-results/secrets/');
  for (const reason of missing) {
    if (input.filtered) lines.push(`warning: ${reason} (the run was filtered, so this is not a failure)`);
    else {
      lines.push(
        `${reason}: the check cannot prove anything (tests must log through testLogDestination() and call rememberSecret())`,
      );
      ok = false;
    }
  }
  return { ok, lines };
}

function filesIn(dir: string, extension: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(extension))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Runs the check over a test-results folder. */
export function checkSecretsInLogs(
  resultsDir: string,
  filtered: boolean,
): SecretsVerdict & { summary: string } {
  const secrets = new Set<string>();
  for (const file of filesIn(path.join(resultsDir, 'secrets'), '.txt')) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line.length >= minimumSecretLength) secrets.add(line);
    }
  }
  const logFiles = filesIn(path.join(resultsDir, 'logs'), '.log');
  const logBytes = logFiles.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  // One log in memory at a time.
  const logs = (function* () {
    for (const file of logFiles)
      yield { file: path.relative(process.cwd(), file), text: fs.readFileSync(file, 'utf8') };
  })();
  const leaks = findLeaks(secrets, logs);
  const verdict = secretsVerdict({
    logFiles: logFiles.length,
    logBytes,
    secrets: secrets.size,
    leaks,
    filtered,
  });
  return { ...verdict, summary: `${secrets.size} secrets searched for in ${logFiles.length} log files` };
}
