import { describe, expect, it } from 'vitest';
import {
  checkImportTable,
  EXPORT_HEADER,
  IMPORT_COLUMNS,
  type ImportContext,
  type TableRow,
} from './risk-import.ts';

const context: ImportContext = {
  categories: new Map([
    ['cybersecurity', 'cybersecurity'],
    ['data privacy', 'data_privacy'],
    ['data_privacy', 'data_privacy'],
  ]),
  owners: new Map([['ada@example.org', '00000000-0000-4000-8000-000000000001']]),
  existingTitles: new Set(['already there']),
};

const HEADER =
  'Title,Category,Owner,Inherent Likelihood,Inherent Impact,Current_Likelihood,Current impact,Target likelihood,Target impact,Response';

function table(lines: string[]): TableRow[] {
  return lines.map((line, i) => ({ line: i + 1, cells: line.split(',') }));
}

describe('checking an imported register', () => {
  it('reads scores as numbers or words, categories by key or name, owners by email', () => {
    const { risks, problems } = checkImportTable(
      table([
        HEADER,
        'Phishing,cybersecurity,ADA@example.org,4,5,high,medium,2,very low,treat',
        'Data breach,Data privacy,,very high,5,3,3,1,2,Tolerate',
      ]),
      context,
    );
    expect(problems).toEqual([]);
    expect(risks).toHaveLength(2);
    expect(risks[0]).toMatchObject({
      title: 'Phishing',
      category: 'cybersecurity',
      ownerId: '00000000-0000-4000-8000-000000000001',
      proximity: 'within_a_year',
      response: 'treat',
    });
    expect(risks[1]).toMatchObject({ category: 'data_privacy', ownerId: null, response: 'tolerate' });
  });

  it('names every bad cell by line: scores 0 or 6, unknown category or owner, duplicate titles; and returns no risks', () => {
    const { risks, problems } = checkImportTable(
      table([
        HEADER,
        'One,cybersecurity,,0,6,3,3,1,1,treat',
        'Two,weather,nobody@example.org,3,3,3,3,1,1,treat',
        'One,cybersecurity,,3,3,3,3,1,1,treat',
        'Already there,cybersecurity,,3,3,3,3,1,1,ignore',
        'Fine,cybersecurity,,3,3,3,3,1,1,treat',
      ]),
      context,
    );
    expect(risks).toEqual([]);
    expect(problems.map((p) => p.message)).toEqual([
      'Line 2: inherent likelihood must be 1 to 5 or very low, low, medium, high, very high, not “0”',
      'Line 2: inherent impact must be 1 to 5 or very low, low, medium, high, very high, not “6”',
      'Line 3: category “weather” is not one of the organisation’s categories',
      'Line 3: owner “nobody@example.org” is not a member of the organisation (give their email address)',
      'Line 4: the title “One” is also on line 2',
      'Line 5: response must be tolerate, treat, transfer or terminate, not “ignore”',
      'Line 5: a risk called “Already there” is already in the register',
    ]);
  });

  it('refuses a header without the required columns, naming them', () => {
    const { problems } = checkImportTable(
      table(['title,category,response', 'x,cybersecurity,treat']),
      context,
    );
    expect(problems).toEqual([
      {
        line: 1,
        message:
          'The header row is missing the columns inherent likelihood, inherent impact, current likelihood, current impact, target likelihood, target impact',
      },
    ]);
  });

  it('says so when there is no data', () => {
    expect(checkImportTable([], context).problems[0]?.message).toBe('The file is empty');
    expect(checkImportTable(table([HEADER, ',,,']), context).problems[0]?.message).toBe(
      'The file has a header row but no risks',
    );
  });

  it('exports the import’s columns first, so a download reads back in', () => {
    expect(EXPORT_HEADER.slice(0, IMPORT_COLUMNS.length)).toEqual([...IMPORT_COLUMNS]);
  });
});
