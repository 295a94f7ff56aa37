import PDFDocument from 'pdfkit';
import type { BoardPack } from './board-pack.ts';

/**
 * The board pack as a PDF, drawn in the process with pdfkit and its built-in Helvetica: no
 * browser, no font files, nothing fetched. Each section is a heading and, for each row, its
 * first cell in bold with the other cells as "Column: value" lines below, which reads well on
 * paper and wraps long text without a table layout engine.
 */
export function boardPackPdf(pack: BoardPack, organisationName: string): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    bufferPages: true,
    info: { Title: pack.title, Author: organisationName, Subject: `Board pack for ${pack.date}` },
    lang: 'en-GB',
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
  });

  doc.font('Helvetica').fontSize(10).fillColor('#505a5f').text(organisationName);
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(20).fillColor('#0b0c0c').text(pack.title);
  doc.moveDown(0.3);
  doc.font('Helvetica').fontSize(11).text(pack.subtitle);

  for (const section of pack.sections) {
    doc.moveDown(1.2);
    doc.font('Helvetica-Bold').fontSize(15).fillColor('#0b0c0c').text(section.title);
    doc.moveDown(0.4);
    if (section.rows.length === 0) {
      doc.font('Helvetica').fontSize(11).text(section.empty);
      continue;
    }
    for (const row of section.rows) {
      const [first = '', ...rest] = row;
      doc.font('Helvetica-Bold').fontSize(11).text(first);
      rest.forEach((value, index) => {
        if (value.trim() === '') return;
        const label = section.header[index + 1] ?? '';
        doc.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { continued: true }).font('Helvetica').text(value);
      });
      doc.moveDown(0.6);
    }
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // The footer sits in the bottom margin; pdfkit would start a new page for text there unless
    // the margin is lifted while it is written.
    const margin = doc.page.margins.bottom;
    const bottom = doc.page.height - margin + 20;
    doc.page.margins.bottom = 0;
    doc.font('Helvetica').fontSize(9).fillColor('#505a5f');
    doc.text(`${pack.title}, ${pack.date}. Page ${String(i - range.start + 1)} of ${String(range.count)}`, doc.page.margins.left, bottom, {
      width: doc.page.width - doc.page.margins.left - doc.page.margins.right,
      align: 'center',
      lineBreak: false,
    });
    doc.page.margins.bottom = margin;
  }
  doc.end();
  return done;
}
