import { describe, expect, it } from 'vitest';
import { byTitle, projectsDueReminder, reportLink, reportReminderEmail } from './reminders.ts';

const late = { period: '2026-10-01', dueBy: '2026-11-10' };

describe('late status report reminders', () => {
  it('are due for owned projects with a late report only', () => {
    const due = projectsDueReminder([
      { id: 'a', title: 'Owned and late', ownerId: 'u', reportFrequency: 'monthly', late },
      { id: 'b', title: 'Nobody’s', ownerId: null, reportFrequency: 'monthly', late },
      { id: 'c', title: 'Up to date', ownerId: 'u', reportFrequency: 'monthly', late: null },
    ]);
    expect(due).toEqual([
      {
        projectId: 'a',
        title: 'Owned and late',
        ownerId: 'u',
        frequency: 'monthly',
        period: '2026-10-01',
        dueBy: '2026-11-10',
      },
    ]);
  });

  it('list one owner’s projects by title, each with its period, due date and link', () => {
    const items = [
      {
        projectId: 'p2',
        title: 'Zebra crossings online',
        ownerId: 'u',
        frequency: 'quarterly' as const,
        period: '2026-07-01',
        dueBy: '2026-10-20',
      },
      {
        projectId: 'p1',
        title: 'Bins\nonline',
        ownerId: 'u',
        frequency: 'monthly' as const,
        period: '2026-10-01',
        dueBy: '2026-11-10',
      },
    ].sort(byTitle);
    const email = reportReminderEmail({
      organisationName: 'West Marsh',
      organisationSlug: 'west-marsh',
      ownerName: 'Ann',
      items,
      publicUrl: 'https://w.example/',
    });
    expect(email.subject).toBe('2 status reports late at West Marsh');
    expect(email.text.indexOf('Bins')).toBeLessThan(email.text.indexOf('Zebra'));
    expect(email.text).toContain('Report for October 2026, due by 10 November 2026');
    expect(email.text).toContain('Report for Q3 2026 (July to September), due by 20 October 2026');
    expect(email.text).toContain('https://w.example/o/west-marsh/projects/p1/reports/new');
    const one = reportReminderEmail({
      organisationName: 'West Marsh',
      organisationSlug: 'west-marsh',
      ownerName: 'Ann',
      items: items.slice(0, 1),
      publicUrl: 'https://w.example',
    });
    expect(one.subject).toBe('Status report late: Bins online, October 2026');
    expect(reportLink('https://w.example', 'a b', 'p')).toBe(
      'https://w.example/o/a%20b/projects/p/reports/new',
    );
  });
});
