import { PassThrough, Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csvChunks, type SheetSpec, writeXlsx } from '../export/spreadsheet.ts';

export const SPREADSHEET_CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

export type SpreadsheetFormat = keyof typeof SPREADSHEET_CONTENT_TYPES;

/**
 * Sends one sheet as a download, streamed: CSV chunk by chunk, XLSX through exceljs's streaming
 * writer. A failure once the download has started can only cut it short (and is logged).
 */
export function sendSheet(request: FastifyRequest, reply: FastifyReply, format: SpreadsheetFormat, fileName: string, sheet: SheetSpec): FastifyReply {
  reply.header('content-type', SPREADSHEET_CONTENT_TYPES[format]).header('content-disposition', `attachment; filename="${fileName}"`);
  if (format === 'csv') return reply.send(Readable.from(csvChunks(sheet.header, sheet.rows)));
  const output = new PassThrough();
  writeXlsx(output, [sheet]).catch((error: unknown) => {
    request.log.error({ err: error }, 'XLSX export failed part-way');
    output.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return reply.send(output);
}
