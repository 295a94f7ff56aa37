import ExcelJS from 'exceljs';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeProject, makeStatusReport } from '../../../test/support/delivery-factories.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeBoard, makeDecision } from '../../../test/support/governance-factories.ts';
import { makeRisk, makeRiskCategory } from '../../../test/support/risk-factories.ts';
import { signIn } from '../../../test/support/login.ts';
import type { Organisation } from '../organisations/organisations.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

/** A board overseeing an amber project that needs a decision, a proposed decision and a risk outside appetite. */
async function boardWithAnAgenda(org: Organisation) {
  const project = await makeProject(t.db, org, { title: 'New council website' });
  await makeStatusReport(t.db, org, project, { period: '2026-10-01', overall: 'amber', reason: 'The supplier is three weeks late', decisionsNeeded: 'Agree to extend the contract' });
  const green = await makeProject(t.db, org, { title: 'Library self-service' });
  await makeStatusReport(t.db, org, green, { period: '2026-10-01' });
  const category = await makeRiskCategory(t.db, org, { label: 'Cyber security', level: 'averse', maxScore: 4 });
  await makeRisk(t.db, org, { title: 'Ransomware takes the website down', category: category.key, current: { likelihood: 4, impact: 5 } });
  const board = await makeBoard(t.db, org, { name: 'Digital board', oversees: [{ type: 'project', id: project.id }] });
  await makeDecision(t.db, org, board, { title: 'Approve the public beta', status: 'proposed', decision: '' });
  return board;
}

describe('the board pack', () => {
  it('shows the pack for a date as a page with every section', async () => {
    const org = await makeOrganisation(t.db);
    const board = await boardWithAnAgenda(org);
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const page = await client.get(`/o/${org.slug}/boards/${board.id}/pack?date=2026-11-12`);
    expect(page.statusCode).toBe(200);
    const text = page.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Digital board: board pack');
    expect(text).toContain('12 November 2026');
    for (const heading of ['Strategy status', 'KPIs off track or overdue', 'Red and amber projects', 'Decisions needed', 'Risks outside appetite']) {
      expect(text).toContain(heading);
    }
    expect(text).toContain('New council website Amber');
    expect(text).not.toContain('Library self-service');
    expect(text).toContain('Agree to extend the contract');
    expect(text).toContain('Approve the public beta');
    expect(text).toContain('Ransomware takes the website down');
    expect(page.body).toContain(`/o/${org.slug}/boards/${board.id}/pack.pdf?date=2026-11-12`);
  });

  it('refuses a date that is not a date on the page, with an error message', async () => {
    const org = await makeOrganisation(t.db);
    const board = await makeBoard(t.db, org);
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const page = await client.get(`/o/${org.slug}/boards/${board.id}/pack?date=2026-02-30`);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Enter the date of the meeting as year-month-day');
    expect((await client.get(`/o/${org.slug}/boards/${board.id}/pack.pdf?date=yesterday`)).statusCode).toBe(400);
  });

  it('produces a PDF whose text holds the pack', async () => {
    const org = await makeOrganisation(t.db);
    const board = await boardWithAnAgenda(org);
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const response = await client.get(`/o/${org.slug}/boards/${board.id}/pack.pdf?date=2026-11-12`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe('attachment; filename="digital-board-pack-2026-11-12.pdf"');
    const pdf = await getDocumentProxy(new Uint8Array(response.rawPayload));
    const { text } = await extractText(pdf, { mergePages: true });
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('Digital board: board pack');
    expect(flat).toContain('12 November 2026. Monthly board, no chair.');
    expect(flat).toContain('Red and amber projects');
    expect(flat).toContain('New council website');
    expect(flat).toContain('Overall: Amber');
    expect(flat).toContain('Why: The supplier is three weeks late');
    expect(flat).toContain('Decision needed: Agree to extend the contract');
    expect(flat).toContain('Approve the public beta');
    expect(flat).toContain('Ransomware takes the website down');
    expect(flat).toContain('Current score: 20');
    expect(flat).not.toContain('Library self-service');
    // The footer on each page does not spill onto pages of its own.
    expect(pdf.numPages).toBeLessThanOrEqual(2);
    expect(flat).toContain(`Page ${String(pdf.numPages)} of ${String(pdf.numPages)}`);
  });

  it('gives the same data as an XLSX workbook, one sheet per section', async () => {
    const org = await makeOrganisation(t.db);
    const board = await boardWithAnAgenda(org);
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const response = await client.get(`/o/${org.slug}/boards/${board.id}/pack.xlsx?date=2026-11-12`);
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      'Strategy status',
      'KPIs off track or overdue',
      'Red and amber projects',
      'Decisions needed',
      'Risks outside appetite',
    ]);
    const projects = workbook.getWorksheet('Red and amber projects');
    expect(projects?.getRow(2).getCell(1).value).toBe('New council website');
    expect(projects?.getRow(2).getCell(2).value).toBe('Amber');
    expect(projects?.rowCount).toBe(2);
  });

  it('is not there for another organisation’s board', async () => {
    const org = await makeOrganisation(t.db);
    const theirs = await makeBoard(t.db, await makeOrganisation(t.db));
    const client = await signIn(t.app, await makeUser(t.db, org, 'manager'));
    for (const suffix of ['', '.pdf', '.xlsx']) {
      expect((await client.get(`/o/${org.slug}/boards/${theirs.id}/pack${suffix}`)).statusCode).toBe(404);
    }
  });
});
