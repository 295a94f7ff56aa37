import { Buffer } from 'node:buffer';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_IMPORT_LIMITS, WEB_IMPORT_LIMITS, type ImportLimits } from './import-format.ts';
import { collectMeasurementRows, readMeasurementRows, type ImportSource } from './import-reader.ts';

function read(source: ImportSource, limits: ImportLimits = WEB_IMPORT_LIMITS) {
  return collectMeasurementRows(source, { kind: 'xlsx', limits });
}

async function fatalMessage(source: ImportSource, limits?: ImportLimits): Promise<string | undefined> {
  const { problems, summary } = await read(source, limits);
  expect(summary.fatal).toBe(true);
  return problems.find((problem) => problem.fatal)?.message;
}

async function workbookBytes(build: (workbook: ExcelJS.Workbook) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// --- A small ZIP writer, to hand-craft workbooks and hostile archives ------------------------------

interface ZipPart {
  readonly name: string;
  readonly data: Buffer;
  readonly method?: 0 | 8;
  /** Uncompressed size written in both headers (default: the true size). */
  readonly declaredSize?: number;
  /** Uncompressed size written in the central directory only. */
  readonly centralSize?: number;
  readonly flags?: number;
}

function buildZip(
  parts: readonly ZipPart[],
  options: { extraCentral?: (offsets: number[]) => Buffer[] } = {},
): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const part of parts) {
    const method = part.method ?? 8;
    const body = method === 8 ? deflateRawSync(part.data) : part.data;
    const name = Buffer.from(part.name);
    const size = part.declaredSize ?? part.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(part.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(part.data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(part.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc32(part.data), 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(part.centralSize ?? size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    offsets.push(offset);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const extra = options.extraCentral?.(offsets) ?? [];
  const directory = Buffer.concat([...centrals, ...extra]);
  const entries = parts.length + extra.length / 2;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const REL_TYPE = REL_NS;

function cellXml(ref: string, value: string | number): string {
  return typeof value === 'number'
    ? `<c r="${ref}"><v>${value}</v></c>`
    : `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
}

function sheetXml(rows: readonly (readonly (string | number)[])[]): string {
  const body = rows
    .map(
      (cells, r) =>
        `<row r="${r + 1}">${cells.map((v, c) => cellXml(`${String.fromCharCode(65 + c)}${r + 1}`, v)).join('')}</row>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN_NS}"><sheetData>${body}</sheetData></worksheet>`;
}

interface HandSheet {
  readonly name: string;
  readonly path: string; // relative to xl/
  readonly rows: readonly (readonly (string | number)[])[];
  readonly hidden?: boolean;
  readonly type?: 'worksheet' | 'chartsheet';
}

/** A minimal workbook: no styles, no shared strings, inline strings only. */
function handWorkbook(sheets: readonly HandSheet[], extraParts: readonly ZipPart[] = []): ZipPart[] {
  const workbook =
    `<?xml version="1.0" encoding="UTF-8"?><x:workbook xmlns:x="${MAIN_NS}" xmlns:rel="${REL_NS}"><x:sheets>` +
    sheets
      .map(
        (s, i) =>
          `<x:sheet name="${s.name}" sheetId="${i + 1}"${s.hidden === true ? ' state="hidden"' : ''} rel:id="rId${i + 1}"/>`,
      )
      .join('') +
    '</x:sheets></x:workbook>';
  const rels =
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    sheets
      .map(
        (s, i) =>
          `<Relationship Id="rId${i + 1}" Type="${REL_TYPE}/${s.type ?? 'worksheet'}" Target="/xl/${s.path}"/>`,
      )
      .join('') +
    '</Relationships>';
  return [
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    { name: 'xl/workbook.xml', data: Buffer.from(workbook) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(rels) },
    ...sheets.map((s) => ({ name: `xl/${s.path}`, data: Buffer.from(sheetXml(s.rows)) })),
    ...extraParts,
  ];
}

const GOOD_ROWS = [
  ['kpi', 'period', 'value'],
  ['a', '2026-01', 1],
  ['b', '2026-02', 2],
] as const;

let directory = '';
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'waymark-xlsx-test-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('reading a workbook made by a spreadsheet program', () => {
  let bytes: Buffer;
  beforeAll(async () => {
    bytes = await workbookBytes((workbook) => {
      const notes = workbook.addWorksheet('Notes');
      notes.state = 'hidden'; // the first tab, hidden: not what the user sees first
      notes.addRow(['not', 'this', 'sheet']);
      const data = workbook.addWorksheet('Data');
      data.addRow([]);
      data.addRow(['Note', 'KPI', 'Period', 'Value']); // row 2: the header may follow blank rows
      data.addRow(['plain', 'take_up', '2026-01', 45.5]);
      data.addRow([
        { richText: [{ text: 'rich ' }, { text: 'text', font: { bold: true } }] },
        'take_up',
        new Date(Date.UTC(2026, 1, 1)),
        { formula: 'C3*2', result: 91 },
      ]);
      data.addRow([null, 'cost', 2026, 0.1 + 0.2]);
      data.addRow([]);
      data.addRow([
        '',
        'cost',
        { formula: 'DATE(2026,4,1)', result: 46113 },
        { formula: 'ROW()', result: 7, shareType: 'shared', ref: 'D7:D8' },
      ]);
      data.getCell('C7').numFmt = 'yyyy-mm-dd';
      data.addRow([null, 'cost', '2026-Q2', { sharedFormula: 'D7', result: 8 }]);
      workbook.addWorksheet('Later').addRow(['kpi', 'period', 'value']);
    });
  });

  it('reads the first visible sheet: values, cached formula results, dates, rich text', async () => {
    const { rows, problems, summary } = await read(bytes);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 3, kpi: 'take_up', period: '2026-01', value: '45.5', note: 'plain' },
      { line: 4, kpi: 'take_up', period: '2026-02-01', value: '91', note: 'rich text' },
      { line: 5, kpi: 'cost', period: '2026', value: '0.30000000000000004', note: null },
      { line: 7, kpi: 'cost', period: '2026-04-01', value: '7', note: null },
      { line: 8, kpi: 'cost', period: '2026-Q2', value: '8', note: null },
    ]);
    expect(summary).toEqual({
      rows: 5,
      dataRows: 5,
      problems: 0,
      hiddenProblems: 0,
      fatal: false,
      lastLine: 8,
      encoding: null,
    });
  });

  it('reads the same from a path and from a stream, and removes the stream’s temporary copy', async () => {
    const path = join(directory, 'made.xlsx');
    await writeFile(path, bytes);
    const expected = (await read(bytes)).rows;
    expect((await read(path)).rows).toEqual(expected);
    const spools = async () =>
      (await readdir(tmpdir())).filter((name) => name.startsWith('waymark-import-')).length;
    const before = await spools();
    const stream = Readable.from(
      (function* chunks() {
        for (let i = 0; i < bytes.length; i += 1_000) yield bytes.subarray(i, i + 1_000);
      })(),
    );
    expect((await read(stream)).rows).toEqual(expected);
    expect(await spools()).toBe(before);
  });

  it('reads dates in a workbook using the 1904 date system', async () => {
    const file = await workbookBytes((workbook) => {
      workbook.properties.date1904 = true;
      const sheet = workbook.addWorksheet('Data');
      sheet.addRow(['kpi', 'period', 'value']);
      sheet.addRow(['a', new Date(Date.UTC(2026, 2, 31)), 1]);
    });
    expect((await read(file)).rows[0]?.period).toBe('2026-03-31');
  });
});

describe('reporting bad rows in a workbook', () => {
  it('reports each bad cell with the sheet row number', async () => {
    const file = await workbookBytes((workbook) => {
      const sheet = workbook.addWorksheet('Data');
      sheet.addRow(['kpi', 'period', 'value', 'note']);
      sheet.addRow(['a', '2026-01', '12,5']); // 2
      sheet.addRow(['a', '2026-02', { error: '#DIV/0!' }]); // 3
      sheet.addRow(['a', '2026-03', true]); // 4
      sheet.addRow(['a', '2026-04', { formula: 'X1' }]); // 5: never calculated
      sheet.addRow(['a', '2026-05', new Date(Date.UTC(2026, 0, 1))]); // 6
      sheet.addRow(['a', '2026-06', 6, 'note', 'stray']); // 7
      sheet.addRow([null, '2026-07', 7]); // 8
      sheet.addRow(['a', { error: '#N/A' }, 8]); // 9
      sheet.addRow(['a', '2026-10', 10, 'n'.repeat(1_001)]); // 10
      sheet.addRow(['ok', '2026-11', 11]); // 11
    });
    const { rows, problems } = await read(file);
    expect(rows.map((row) => row.line)).toEqual([11]);
    expect(problems.map((problem) => problem.message)).toEqual([
      'Line 2: value "12,5" is not a number; use a full stop for decimals',
      'Line 3: the value cell holds the Excel error #DIV/0!',
      'Line 4: value TRUE is not a number',
      'Line 5: the value cell has a formula with no saved result; open the file in Excel, save it, and try again',
      'Line 6: the value is a date, not a number',
      'Line 7 has a value in column E, which has no heading',
      'Line 8: the kpi is missing',
      'Line 9: the period cell holds the Excel error #N/A',
      'Line 10: the note is 1,001 characters long; the most is 1,000',
    ]);
  });

  it('refuses a header without a value column, and a header with no data', async () => {
    const missing = await workbookBytes((workbook) => {
      workbook.addWorksheet('Data').addRow(['kpi', 'period', 'amount']);
    });
    expect((await read(missing)).problems.map((p) => p.message)).toEqual([
      'The file has a column we do not recognise: "amount". Columns must be: kpi, period, value and optionally note',
      'The file has no "value" column. Columns must be: kpi, period, value and optionally note',
    ]);
    const headerOnly = await workbookBytes((workbook) => {
      workbook.addWorksheet('Data').addRow(['kpi', 'period', 'value']);
    });
    expect(await fatalMessage(headerOnly)).toBe('The file has a header row but no data');
    const empty = await workbookBytes((workbook) => {
      workbook.addWorksheet('Data');
    });
    expect(await fatalMessage(empty)).toBe('The file is empty: its first worksheet, "Data", has no rows');
  });

  it('stops at the row limit', async () => {
    const file = await workbookBytes((workbook) => {
      const sheet = workbook.addWorksheet('Data');
      sheet.addRow(['kpi', 'period', 'value']);
      for (let i = 0; i < 20; i++) sheet.addRow(['a', `2026-${i}`, i]);
    });
    const { rows, problems } = await read(file, { ...WEB_IMPORT_LIMITS, maxRows: 5 });
    expect(rows).toHaveLength(5);
    expect(problems).toEqual([
      {
        line: 7,
        message:
          'The file has more than 5 rows of data, the most allowed (line 7 is row 6). Split it into smaller files',
        fatal: true,
      },
    ]);
  });
});

describe('finding the sheet in a hand-made workbook', () => {
  it('follows tab order, not file names, skips hidden sheets, and copes with namespace prefixes', async () => {
    const zip = buildZip(
      handWorkbook([
        { name: 'Hidden', path: 'worksheets/sheet1.xml', rows: [['x']], hidden: true },
        { name: 'Figures', path: 'worksheets/figures.xml', rows: GOOD_ROWS },
        {
          name: 'Other',
          path: 'worksheets/sheet3.xml',
          rows: [
            ['kpi', 'period', 'value'],
            ['z', '2026', 9],
          ],
        },
      ]),
    );
    const { rows, problems } = await read(zip);
    expect(problems).toEqual([]);
    expect(rows.map((row) => row.kpi)).toEqual(['a', 'b']);
  });

  it('refuses a workbook whose only sheets are charts', async () => {
    const zip = buildZip(
      handWorkbook([{ name: 'Chart', path: 'chartsheets/sheet1.xml', rows: [], type: 'chartsheet' }]),
    );
    expect(await fatalMessage(zip)).toBe('The workbook has no worksheet');
  });
});

describe('refusing files that are not workbooks', () => {
  it('refuses a file that is not a ZIP, an empty file, and an old .xls', async () => {
    expect(await fatalMessage(Buffer.from('kpi,period,value\na,2026,1\n'))).toBe(
      'The file is not an Excel workbook (.xlsx). Save it as "Excel Workbook (.xlsx)" or as "CSV UTF-8" and try again',
    );
    expect(await fatalMessage(Buffer.alloc(0))).toBe('The file is empty');
    expect(
      await fatalMessage(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0])),
    ).toMatch(/^The file is an old-style Excel workbook \(\.xls\) or a password-protected file/);
  });

  it('refuses a ZIP that is not a workbook', async () => {
    expect(await fatalMessage(buildZip([{ name: 'readme.txt', data: Buffer.from('hello') }]))).toBe(
      'The file is a ZIP archive but not an Excel workbook (.xlsx). Save it as "CSV UTF-8" and try again',
    );
  });

  it('refuses a truncated workbook as damaged', async () => {
    const zip = buildZip(handWorkbook([{ name: 'Data', path: 'worksheets/sheet1.xml', rows: GOOD_ROWS }]));
    expect(await fatalMessage(zip.subarray(0, zip.length - 10))).toMatch(
      /^The workbook is damaged and cannot be read \(its ZIP index is missing\)/,
    );
  });

  it('refuses a password-protected (encrypted) entry', async () => {
    const parts = handWorkbook([{ name: 'Data', path: 'worksheets/sheet1.xml', rows: GOOD_ROWS }]).map(
      (part) => ({ ...part, flags: 1 }),
    );
    expect(await fatalMessage(buildZip(parts))).toBe(
      'The workbook is password-protected. Save it again without a password',
    );
  });
});

describe('the zip-bomb guard', () => {
  const sheet = { name: 'Data', path: 'worksheets/sheet1.xml', rows: GOOD_ROWS };

  it('refuses from the central directory alone when it declares a huge unpacked size', async () => {
    const parts = handWorkbook(
      [sheet],
      [{ name: 'xl/media/huge.bin', data: Buffer.from('tiny'), method: 0, centralSize: 2_900_000_000 }],
    );
    expect(await fatalMessage(buildZip(parts), BATCH_IMPORT_LIMITS)).toBe(
      'The workbook was not opened because it unpacks to 2,900 MB; the most allowed is 1 GB. Save large data sets as "CSV UTF-8" instead',
    );
  });

  it('refuses a workbook over a (small) unpacked-size limit', async () => {
    const file = buildZip(handWorkbook([sheet]));
    const limits = { ...WEB_IMPORT_LIMITS, xlsx: { ...WEB_IMPORT_LIMITS.xlsx, maxUncompressedBytes: 500 } };
    expect(await fatalMessage(file, limits)).toMatch(
      /^The workbook was not opened because it unpacks to .*; the most allowed is 500 bytes/,
    );
  });

  it('refuses an archive compressed far more tightly than any real workbook', async () => {
    const bomb = Buffer.alloc(5_000_000, 0x61);
    const parts = handWorkbook([sheet], [{ name: 'xl/media/padding.bin', data: bomb }]);
    expect(await fatalMessage(buildZip(parts))).toMatch(
      /^The workbook was not opened because it is compressed [\d,]+ to 1, far more than a real workbook \(at most 100 to 1\); that is how zip bombs are made$/,
    );
  });

  it('holds each part to its declared size while unpacking: a lying shared-strings part', async () => {
    const strings = `<sst xmlns="${MAIN_NS}">${'<si><t>aaaaaaaaaaaaaaaaaaaa</t></si>'.repeat(50_000)}</sst>`; // 1.6 MB
    const parts = handWorkbook(
      [sheet],
      [{ name: 'xl/sharedStrings.xml', data: Buffer.from(strings), declaredSize: 2_000 }],
    );
    const rels = parts.find((part) => part.name === 'xl/_rels/workbook.xml.rels');
    const withStrings = parts.map((part) =>
      part === rels
        ? {
            ...part,
            data: Buffer.from(
              part.data
                .toString()
                .replace(
                  '</Relationships>',
                  `<Relationship Id="rId9" Type="${REL_TYPE}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
                ),
            ),
          }
        : part,
    );
    // Declared sizes are tiny and the ratio looks harmless: only unpacking shows the lie.
    expect(await fatalMessage(buildZip(withStrings))).toBe(
      'The workbook was not opened because its part "xl/sharedStrings.xml" unpacks to more than it declares, as a zip bomb does',
    );
  });

  it('holds the worksheet to its declared size too, stopping in the middle of the sheet', async () => {
    const many: (string | number)[][] = [['kpi', 'period', 'value']];
    for (let i = 0; i < 20_000; i++) many.push(['a', '2026', i]);
    const parts = handWorkbook([{ ...sheet, rows: many }]).map((part) =>
      part.name === 'xl/worksheets/sheet1.xml' ? { ...part, declaredSize: 100_000 } : part,
    );
    const { problems, summary } = await read(buildZip(parts));
    expect(summary.fatal).toBe(true);
    expect(problems.at(-1)?.message).toBe(
      'The workbook was not opened because its part "xl/worksheets/sheet1.xml" unpacks to more than it declares, as a zip bomb does',
    );
  });

  it('refuses a part that is shorter than it declares', async () => {
    const parts = handWorkbook([sheet]).map((part) =>
      part.name === 'xl/worksheets/sheet1.xml' ? { ...part, declaredSize: part.data.length + 10 } : part,
    );
    expect(await fatalMessage(buildZip(parts))).toMatch(
      /^The workbook is damaged and cannot be read \(part "xl\/worksheets\/sheet1.xml" is shorter than it declares\)/,
    );
  });

  it('refuses overlapping entries, the trick behind the best-known zip bombs', async () => {
    const base = handWorkbook(
      [sheet],
      [{ name: 'xl/media/big.bin', data: Buffer.alloc(40_000, 1), method: 0 }],
    );
    const overlapping = buildZip(base, {
      // Three more central entries all pointing at the same 40 kB of data.
      extraCentral: (offsets) => {
        const target = offsets.at(-1) ?? 0;
        return [1, 2, 3].flatMap((n) => {
          const name = Buffer.from(`xl/media/copy${n}.bin`);
          const central = Buffer.alloc(46);
          central.writeUInt32LE(0x02014b50, 0);
          central.writeUInt16LE(20, 6);
          central.writeUInt32LE(40_000, 20);
          central.writeUInt32LE(40_000, 24);
          central.writeUInt16LE(name.length, 28);
          central.writeUInt32LE(target, 42);
          return [central, name];
        });
      },
    });
    expect(await fatalMessage(overlapping)).toBe(
      'The workbook was not opened because its parts overlap one another, which is how some zip bombs are made',
    );
  });

  it('refuses an archive with too many entries', async () => {
    const limits = { ...WEB_IMPORT_LIMITS, xlsx: { ...WEB_IMPORT_LIMITS.xlsx, maxEntries: 3 } };
    expect(await fatalMessage(buildZip(handWorkbook([sheet])), limits)).toBe(
      'The workbook was not opened because it has 4 parts; a workbook has at most 3',
    );
  });

  it('refuses shared strings over their own limit, before unpacking them', async () => {
    const file = await workbookBytes((workbook) => {
      const data = workbook.addWorksheet('Data');
      data.addRow(['kpi', 'period', 'value', 'note']);
      for (let i = 0; i < 200; i++)
        data.addRow(['a', '2026', i, `a fairly long and unique note number ${i}`]);
    });
    const limits = {
      ...WEB_IMPORT_LIMITS,
      xlsx: { ...WEB_IMPORT_LIMITS.xlsx, maxSharedStringsBytes: 1_000 },
    };
    expect(await fatalMessage(file, limits)).toMatch(
      /^The workbook was not opened because its text cells take .* unpacked; the most allowed is 1 kB/,
    );
  });
});

describe('stopping early', () => {
  it('releases the workbook when the caller stops after the first batch', async () => {
    const file = await workbookBytes((workbook) => {
      const data = workbook.addWorksheet('Data');
      data.addRow(['kpi', 'period', 'value']);
      for (let i = 0; i < 5_000; i++) data.addRow(['a', '2026', i]);
    });
    let batches = 0;
    for await (const event of readMeasurementRows(file, { kind: 'xlsx', batchSize: 100 })) {
      if (event.type === 'rows') {
        batches++;
        break;
      }
    }
    expect(batches).toBe(1);
  });
});
