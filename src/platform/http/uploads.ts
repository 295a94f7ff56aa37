import type { FastifyRequest } from 'fastify';
import { type Role, roleAtLeast } from '../access/roles.ts';

/** What an upload form sent, read before the CSRF check (which needs `_csrf` from the body). */
export interface UploadBody {
  _csrf?: string;
  upload?: { fileName: string; bytes: Buffer; tooLarge: boolean } | undefined;
}

/** The file an upload form sent, if any. */
export function uploadOf(request: FastifyRequest): UploadBody['upload'] {
  return (request.body as UploadBody | undefined)?.upload;
}

/**
 * A `preValidation` hook that reads an upload page's multipart form into `request.body`: the
 * CSRF field and one file `file`, held in memory (so `maxBytes` stays small; bigger files go
 * through the CLI or the API, which stream). Only for signed-in members of the organisation in
 * the URL with at least `role`; anyone else's request is left for the guards to refuse without
 * the upload being read.
 */
export function uploadReader(role: Role, maxBytes: number): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (!request.isMultipart()) return;
    const slug = (request.params as { org?: string }).org;
    const membership = request.session?.memberships.find((m) => m.slug === slug);
    if (request.session?.stage !== 'active' || membership === undefined || !roleAtLeast(membership.role, role)) return;
    const body: UploadBody = {};
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1_000 } })) {
      if (part.type === 'field') {
        if (part.fieldname === '_csrf' && typeof part.value === 'string') body._csrf = part.value;
        continue;
      }
      if (part.fieldname !== 'file' || body.upload !== undefined) {
        part.file.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of part.file as AsyncIterable<Buffer>) chunks.push(chunk);
      body.upload = { fileName: part.filename, bytes: Buffer.concat(chunks), tooLarge: part.file.truncated };
    }
    request.body = body;
  };
}

/** A spreadsheet upload's kind by its name; with no extension to go by, a workbook is a ZIP archive. */
export function spreadsheetKindOf(fileName: string, bytes: Buffer): 'csv' | 'xlsx' | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.xlsx')) return 'xlsx';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.lastIndexOf('.') === -1) return bytes.subarray(0, 2).toString('latin1') === 'PK' ? 'xlsx' : 'csv';
  return null;
}
