/** "1 event", "2 events": a count with its noun, for messages people read. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
