import { describe, expect, it } from 'vitest';
import { createLogger, serializeRequest } from './logger.ts';

/** A logger writing into an array, so each line can be read back as JSON. */
function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  return { lines, logger };
}

const SENSITIVE_KEYS = ['password', 'newPassword', 'token', 'code', 'secret', 'totp', 'cookie', 'authorization', 'sessionSecret'];

describe('logger redaction', () => {
  it('blanks sensitive keys at the top level', () => {
    const { lines, logger } = capture();
    const values = Object.fromEntries(SENSITIVE_KEYS.map((key) => [key, `value-of-${key}-7f3a9c`]));
    logger.info({ ...values, email: 'ada@example.org' }, 'signing in');
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    const record = JSON.parse(line) as Record<string, unknown>;
    for (const key of SENSITIVE_KEYS) {
      expect(record[key], key).toBe('[redacted]');
      expect(line).not.toContain(`value-of-${key}-7f3a9c`);
    }
    expect(record.email).toBe('ada@example.org');
    expect(record.msg).toBe('signing in');
  });

  it('blanks sensitive keys nested one level down', () => {
    const { lines, logger } = capture();
    const values = Object.fromEntries(SENSITIVE_KEYS.map((key) => [key, `nested-${key}-51be02`]));
    logger.warn({ input: { ...values, name: 'Ada' }, headers: { authorization: 'Bearer wmk_abc123def456', cookie: 'waymark_session=s3ss10n' } });
    const line = lines[0] ?? '';
    const record = JSON.parse(line) as { input: Record<string, unknown>; headers: Record<string, unknown> };
    for (const key of SENSITIVE_KEYS) {
      expect(record.input[key], key).toBe('[redacted]');
      expect(line).not.toContain(`nested-${key}-51be02`);
    }
    expect(record.input.name).toBe('Ada');
    expect(record.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(line).not.toContain('wmk_abc123def456');
    expect(line).not.toContain('s3ss10n');
  });

  it('drops request and response headers whole', () => {
    const { lines, logger } = capture();
    logger.info({
      req: { method: 'GET', url: '/', id: 'r1', headers: { 'x-api-key': 'k3y-v4lue', cookie: 'a=b' } },
      res: { statusCode: 200, headers: { 'set-cookie': 'waymark_session=fr3sh' } },
    });
    const line = lines[0] ?? '';
    expect(line).not.toContain('k3y-v4lue');
    expect(line).not.toContain('fr3sh');
  });

  it('leaves the message and harmless fields alone', () => {
    const { lines, logger } = capture();
    logger.info({ userId: 'u-1', status: 400 }, 'request refused');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ userId: 'u-1', status: 400, msg: 'request refused' });
  });
});

describe('request serializer', () => {
  it('keeps only the path: query strings (invitation tokens, next=…) never reach the log', () => {
    const serialized = serializeRequest({ id: 'r1', method: 'GET', url: '/invitation?token=inv_s3cr3t&x=1', ip: '10.0.0.1' });
    expect(serialized).toEqual({ id: 'r1', method: 'GET', path: '/invitation', ip: '10.0.0.1' });
    expect(JSON.stringify(serialized)).not.toContain('inv_s3cr3t');
  });

  it('is used by the logger for `req`, so headers and bodies are not logged either', () => {
    const { lines, logger } = capture();
    const req = {
      id: 'r2',
      method: 'POST',
      url: '/sign-in?next=%2Fo%2Fx&token=t0k3n',
      ip: '10.0.0.2',
      headers: { cookie: 'waymark_session=abc' },
      body: { password: 'hunter2hunter2' },
    };
    logger.info({ req }, 'incoming request');
    const line = lines[0] ?? '';
    expect(JSON.parse(line)).toMatchObject({ req: { id: 'r2', method: 'POST', path: '/sign-in', ip: '10.0.0.2' } });
    expect(line).not.toContain('t0k3n');
    expect(line).not.toContain('waymark_session');
    expect(line).not.toContain('hunter2hunter2');
  });
});
