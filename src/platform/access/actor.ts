import type { AuditVia } from '../audit/audit.table.ts';
import type { Role } from './roles.ts';

/**
 * Who is acting, passed to every service call. Services use it for access checks and for
 * the audit trail; routes build it from the session or the API token, the CLI builds one
 * for the operator at the terminal.
 */
export type Actor =
  | {
      readonly kind: 'user';
      readonly userId: string;
      readonly label: string;
      readonly organisationId: string | null;
      readonly role: Role | null;
      readonly via: 'web';
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'token';
      readonly tokenId: string;
      readonly tokenName: string;
      readonly label: string;
      readonly organisationId: string;
      readonly scopes: readonly TokenScope[];
      readonly via: 'api';
      readonly requestId: string | null;
    }
  | {
      readonly kind: 'operator';
      readonly label: string;
      readonly via: Extract<AuditVia, 'cli' | 'system'>;
      readonly requestId: null;
    };

export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** The person at the terminal: trusted with the whole installation, as the server's owner. */
export function cliOperator(): Actor {
  return { kind: 'operator', label: `cli:${process.env.USER ?? 'operator'}`, via: 'cli', requestId: null };
}

export function systemActor(label = 'system'): Actor {
  return { kind: 'operator', label, via: 'system', requestId: null };
}
