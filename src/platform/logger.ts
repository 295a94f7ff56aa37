import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino blanks out wherever they appear. Request logs carry no headers, bodies or query
 * strings (see the request serializer), so this is a second line of defence for anything a
 * developer logs on purpose.
 */
export const REDACT_PATHS = [
  'password',
  'newPassword',
  'token',
  'code',
  'secret',
  'totp',
  'cookie',
  'authorization',
  'sessionSecret',
  'comment',
  '*.password',
  '*.newPassword',
  '*.token',
  '*.code',
  '*.secret',
  '*.totp',
  '*.cookie',
  '*.authorization',
  '*.sessionSecret',
  '*.comment',
  'req.headers',
  'res.headers',
];

interface RequestLike {
  method: string;
  url: string;
  id: string;
  ip?: string;
}

/** Only the path: query strings may carry tokens (invitation links), so they never reach the log. */
export function serializeRequest(req: RequestLike): Record<string, string | undefined> {
  const path = req.url.split('?')[0];
  return { id: req.id, method: req.method, path, ip: req.ip };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
