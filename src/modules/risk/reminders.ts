/**
 * Reminders to owners of risks whose review is overdue: which risks are due one, and what the
 * email says. Pure: reminders.service.ts finds the risks, claims each reminder and sends the emails.
 */

/** One risk whose owner is reminded about one overdue review. */
export interface ReviewReminderItem {
  riskId: string;
  title: string;
  ownerId: string;
  /** The review date that has passed: what the reminder is about. */
  dueOn: string;
}

/** Open risks with an owner whose next review date is before today. */
export function risksDueReviewReminder(
  risks: readonly {
    id: string;
    title: string;
    ownerId: string | null;
    status: string;
    nextReviewOn: string;
  }[],
  today: string,
): ReviewReminderItem[] {
  const due: ReviewReminderItem[] = [];
  for (const risk of risks) {
    if (risk.ownerId === null || risk.status !== 'open' || risk.nextReviewOn >= today) continue;
    due.push({ riskId: risk.id, title: risk.title, ownerId: risk.ownerId, dueOn: risk.nextReviewOn });
  }
  return due;
}

/** An owner's risks in their email: by title, then id. */
export function byTitle(a: ReviewReminderItem, b: ReviewReminderItem): number {
  return a.title.localeCompare(b.title, 'en-GB') || a.riskId.localeCompare(b.riskId);
}

/** Where the owner records the review: the risk's review form. */
export function reviewLink(publicUrl: string, organisationSlug: string, riskId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/o/${encodeURIComponent(organisationSlug)}/risks/${encodeURIComponent(riskId)}/reassess`;
}

/** A header is one line: titles typed by people must not start new ones. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

const DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** The email to one owner, listing every risk of theirs whose review is overdue. */
export function reviewReminderEmail(input: {
  organisationName: string;
  organisationSlug: string;
  ownerName: string;
  items: readonly ReviewReminderItem[];
  publicUrl: string;
}): { subject: string; text: string } {
  const { items } = input;
  const first = items[0];
  if (first === undefined) throw new RangeError('A reminder lists at least one risk');
  const subject =
    items.length === 1
      ? `Risk review overdue: ${first.title}`
      : `${items.length} risk reviews overdue at ${input.organisationName}`;
  const lines = [
    `Hello ${input.ownerName},`,
    '',
    items.length === 1
      ? `A risk you own at ${input.organisationName} is due a review:`
      : `${items.length} risks you own at ${input.organisationName} are due a review:`,
    '',
  ];
  for (const item of items) {
    lines.push(
      `* ${oneLine(item.title)}`,
      `  Review was due by ${DATE.format(new Date(`${item.dueOn}T00:00:00Z`))}`,
      `  Record the review: ${reviewLink(input.publicUrl, input.organisationSlug, item.riskId)}`,
      '',
    );
  }
  lines.push(
    'Until it is reviewed, the risk shows as overdue for review in the register.',
    '',
    'You get one reminder for each review date.',
    '',
    'Waymark',
  );
  return { subject: oneLine(subject), text: lines.join('\n') };
}
