import { appendFileSync } from 'node:fs';
import type { ReceivedMail } from '../helpers/smtp-server.ts';

export type Figures = Record<string, number | string>;

/**
 * Prints the one line a fault case owes its reader: what was lost and what was doubled, e.g.
 * `FAULT redis-stopped-30s-signups: accepted=120 mailed=118 lost=2 doubled=0`. With FAULT_REPORT
 * set, also appends it as a JSON line to that file (the source of docs/reliability.md's table).
 */
export function reportFault(name: string, figures: Figures): void {
  const line = `FAULT ${name}: ${Object.entries(figures)
    .map(([key, value]) => `${key}=${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : value}`)
    .join(' ')}`;
  console.info(line);
  const file = process.env.FAULT_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ case: name, at: new Date().toISOString(), ...figures })}\n`);
}

/** Who of `expected` got at least one of `mails`, who got none, and how many copies were extra. */
export function tallyMail(
  expected: readonly string[],
  mails: readonly ReceivedMail[],
): { expected: number; reached: number; lost: number; doubled: number; missing: string[] } {
  const copies = new Map<string, number>();
  for (const mail of mails) for (const to of mail.to) copies.set(to.toLowerCase(), (copies.get(to.toLowerCase()) ?? 0) + 1);
  const missing = expected.filter((address) => !copies.has(address.toLowerCase()));
  const doubled = [...copies.values()].reduce((sum, count) => sum + count - 1, 0);
  return { expected: expected.length, reached: expected.length - missing.length, lost: missing.length, doubled, missing };
}

/** Mails whose subject contains `text` (a notice's unique title, or the verification subject). */
export function mailsWithSubject(mails: readonly ReceivedMail[], text: string): ReceivedMail[] {
  return mails.filter((mail) => mail.subject.includes(text));
}

/** Resolves after `ms`: for a fault's own duration (an outage lasts 30 s) and between polls, never instead of awaiting a condition. */
export function holdFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Checks `check` (an expensive one: a CLI run, a query) every `everyMs` until it holds; false after `timeoutMs`. */
export async function pollUntil(check: () => Promise<boolean>, options: { everyMs: number; timeoutMs: number }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() + options.everyMs > deadline) return false;
    await holdFor(options.everyMs);
  }
}
