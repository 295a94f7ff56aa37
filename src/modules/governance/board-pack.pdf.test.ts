import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it } from 'vitest';
import type { BoardPack } from './board-pack.ts';
import { boardPackPdf } from './board-pack.pdf.ts';

function packWith(rows: number): BoardPack {
  return {
    boardName: 'Digital board',
    title: 'Digital board: board pack',
    subtitle: '12 November 2026. Monthly board, chaired by Asha Patel.',
    date: '2026-11-12',
    sections: [
      {
        key: 'projects',
        title: 'Red and amber projects',
        empty: 'None',
        header: ['Project', 'Overall', 'Why'],
        rows: Array.from({ length: rows }, (_, i) => [`Project ${String(i + 1)}`, 'Amber', 'The supplier is late; the “go-live” moves to £-budget review – again']),
      },
      { key: 'risks', title: 'Risks outside appetite', empty: 'No open risk is outside its category’s appetite.', header: ['Risk'], rows: [] },
    ],
  };
}

async function textOf(pdf: Buffer): Promise<{ pages: number; text: string }> {
  const doc = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(doc, { mergePages: true });
  return { pages: doc.numPages, text: text.replace(/\s+/g, ' ') };
}

describe('the board pack PDF', () => {
  it('writes every section, with typographic characters intact, and says when a section is empty', async () => {
    const { text } = await textOf(await boardPackPdf(packWith(1), 'West Marsh County Council'));
    expect(text).toContain('West Marsh County Council');
    expect(text).toContain('Digital board: board pack');
    expect(text).toContain('Project 1');
    expect(text).toContain('Overall: Amber');
    expect(text).toContain('Why: The supplier is late; the “go-live” moves to £-budget review – again');
    expect(text).toContain('No open risk is outside its category’s appetite.');
  });

  it('runs over several pages, numbering each, without blank pages for the footers', async () => {
    const { pages, text } = await textOf(await boardPackPdf(packWith(80), 'West Marsh County Council'));
    expect(pages).toBeGreaterThan(2);
    expect(text).toContain('Project 80');
    expect(text).toContain(`Page ${String(pages)} of ${String(pages)}`);
    for (let page = 1; page <= pages; page++) expect(text).toContain(`Page ${String(page)} of ${String(pages)}`);
  });
});
