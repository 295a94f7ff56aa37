import { createHash, randomBytes } from 'node:crypto';

/** A URL-safe random secret of `bytes` bytes (≥ 16 bytes = 128 bits for anything that grants access). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Secrets are stored only as this hash: a database leak does not hand out sessions or tokens. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
