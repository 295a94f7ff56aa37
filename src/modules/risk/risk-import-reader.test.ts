import { Buffer } from 'node:buffer';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { readRegisterFile, UnreadableFileError, unpackedBytesWithin } from './risk-import-reader.ts';

/** A one-entry ZIP archive holding `content`, deflated. */
function zipOf(name: string, content: Buffer): Buffer {
  const data = deflateRawSync(content);
  const fileName = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(0, 42);
  const centralOffset = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

describe('reading a register file', () => {
  it('reads CSV lines with their line numbers, a BOM removed and quoted line breaks kept', async () => {
    const rows = await readRegisterFile(
      Buffer.from('\uFEFFtitle,category\r\n"Two\nlines",cybersecurity\r\n', 'utf8'),
      'csv',
    );
    expect(rows).toEqual([
      { line: 1, cells: ['title', 'category'] },
      { line: 3, cells: ['Two\nlines', 'cybersecurity'] },
    ]);
  });

  it('names the line of a byte that is not UTF-8', async () => {
    const error = await readRegisterFile(
      Buffer.concat([Buffer.from('title\r\nok\r\n'), Buffer.from([0xff, 0x0d, 0x0a])]),
      'csv',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableFileError);
    expect((error as Error).message).toContain('line 3');
  });

  it('reads the first sheet of a workbook as text', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Risks').addRows([
      ['title', 'inherent likelihood'],
      ['Phishing', 4],
    ]);
    const rows = await readRegisterFile(Buffer.from(await workbook.xlsx.writeBuffer()), 'xlsx');
    expect(rows).toEqual([
      { line: 1, cells: ['title', 'inherent likelihood'] },
      { line: 2, cells: ['Phishing', '4'] },
    ]);
  });

  it('measures what an archive really unpacks to, refusing one that unpacks beyond the limit', () => {
    const bomb = zipOf('xl/worksheets/sheet1.xml', Buffer.alloc(5_000_000));
    expect(bomb.length).toBeLessThan(10_000);
    expect(unpackedBytesWithin(bomb, 1_000_000)).toBeNull();
    expect(unpackedBytesWithin(bomb, 10_000_000)).toBe(5_000_000);
    expect(unpackedBytesWithin(Buffer.from('not a zip'), 1_000)).toBeNull();
  });

  it('refuses a file that is not a workbook with a message saying what to do', async () => {
    await expect(readRegisterFile(Buffer.from('title,category\n'), 'xlsx')).rejects.toThrow(
      'save the register from your spreadsheet',
    );
  });
});
