import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const SECRET = 'a'.repeat(16) + 'B'.repeat(16) + '0123456789';

describe('loadConfig in production', () => {
  it('refuses to start without SESSION_SECRET, saying what to set', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET must be set to at least 32 random characters in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: '' })).toThrow(ConfigError);
  });

  it('refuses a session secret shorter than 32 characters and accepts one of 32', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(31) })).toThrow(/SESSION_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }).sessionSecret).toBe('x'.repeat(32));
  });

  it('uses production defaults: all interfaces, info logs, no trusted proxy', () => {
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET });
    expect(config).toMatchObject({ env: 'production', host: '0.0.0.0', port: 3000, logLevel: 'info', trustProxy: false, databaseUrl: undefined });
    expect(config.sessionIdleSeconds).toBe(30 * 60);
    expect(config.sessionAbsoluteSeconds).toBe(12 * 60 * 60);
  });

  it('is frozen', () => {
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET });
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe('loadConfig outside production', () => {
  it('makes a random 256-bit session secret per process when none is set', () => {
    const a = loadConfig({ NODE_ENV: 'development' });
    const b = loadConfig({});
    expect(a.sessionSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sessionSecret).not.toBe(a.sessionSecret);
    expect(a.env).toBe('development');
    expect(b.env).toBe('development');
    expect(a.host).toBe('127.0.0.1');
  });

  it('is quiet by default in tests and development', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).logLevel).toBe('silent');
    expect(loadConfig({ NODE_ENV: 'development' }).logLevel).toBe('warn');
  });
});

describe('loadConfig refuses bad values with a message naming the setting', () => {
  it('NODE_ENV', () => {
    expect(() => loadConfig({ NODE_ENV: 'prod' })).toThrow(new ConfigError('NODE_ENV must be development, test or production, not "prod"'));
    expect(() => loadConfig({ NODE_ENV: 'Production' })).toThrow(ConfigError);
  });

  it('PORT', () => {
    for (const port of ['abc', '-1', '65536', '80.5', '3000x']) {
      expect(() => loadConfig({ PORT: port }), port).toThrow(new ConfigError(`PORT must be a whole number from 0 to 65535, not "${port}"`));
    }
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
  });

  it('LOG_LEVEL', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "verbose"/);
    expect(loadConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
  });

  it('DATABASE_URL', () => {
    for (const url of ['mysql://localhost/waymark', 'localhost:5432', 'http://db/waymark']) {
      expect(() => loadConfig({ DATABASE_URL: url }), url).toThrow(new ConfigError('DATABASE_URL must start with postgres:// or postgresql://'));
    }
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db:5432/w' }).databaseUrl).toBe('postgres://u@db:5432/w');
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db/w' }).databaseUrl).toBe('postgresql://u@db/w');
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('TRUST_PROXY', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1' }).trustProxy).toEqual(['10.0.0.1']);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.1 ,loopback,::1,fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.1',
      'loopback',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['yes', '10.0.0.1; rm -rf', 'proxy.example.org', '*']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY must be true, false or a comma-separated list/);
    }
  });
});

describe('loadConfig email and reminders', () => {
  it('REMINDER_INTERVAL_MINUTES: hourly by default, 0 turns reminders off, anything else is refused', () => {
    expect(loadConfig({}).reminderIntervalMinutes).toBe(60);
    expect(loadConfig({ REMINDER_INTERVAL_MINUTES: '' }).reminderIntervalMinutes).toBe(60);
    expect(loadConfig({ REMINDER_INTERVAL_MINUTES: '0' }).reminderIntervalMinutes).toBe(0);
    expect(loadConfig({ REMINDER_INTERVAL_MINUTES: '15' }).reminderIntervalMinutes).toBe(15);
    expect(loadConfig({ REMINDER_INTERVAL_MINUTES: '10080' }).reminderIntervalMinutes).toBe(10080);
    for (const bad of ['-5', '1.5', 'hourly', '10081', '1e3']) {
      expect(() => loadConfig({ REMINDER_INTERVAL_MINUTES: bad }), bad).toThrow(ConfigError);
      expect(() => loadConfig({ REMINDER_INTERVAL_MINUTES: bad }), bad).toThrow(/REMINDER_INTERVAL_MINUTES must be a whole number of minutes from 0 \(off\) to 10080/);
    }
  });

  it('SMTP_URL: unset turns email off; MAIL_FROM has a default', () => {
    expect(loadConfig({}).smtpUrl).toBeUndefined();
    expect(loadConfig({ SMTP_URL: 'smtp://mail.example:587' }).smtpUrl).toBe('smtp://mail.example:587');
    expect(() => loadConfig({ SMTP_URL: 'mail.example:25' })).toThrow(/SMTP_URL must look like/);
    expect(loadConfig({}).mailFrom).toBe('Waymark <waymark@localhost>');
    expect(loadConfig({ MAIL_FROM: 'Performance <kpis@west-marsh.example>' }).mailFrom).toBe('Performance <kpis@west-marsh.example>');
  });
});

describe('loadConfig paths', () => {
  it('resolves the embedded data folder to an absolute path', () => {
    expect(loadConfig({ WAYMARK_DATA_DIR: 'some/dir' }).dataDir).toBe(path.resolve('some/dir'));
    expect(path.isAbsolute(loadConfig({}).dataDir)).toBe(true);
  });
});
