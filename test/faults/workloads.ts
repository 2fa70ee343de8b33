import type { HttpOutcome, ProcessStack } from '../helpers/process-stack.ts';
import type { Child } from '../helpers/processes.ts';
import { mailsWithSubject, reportFault, tallyMail, type Figures } from './fault-report.ts';

/** One signup request of a stream: when it left, and what came back. */
export interface SignupRecord {
  email: string;
  startedAt: number;
  outcome?: HttpOutcome;
}

/**
 * A steady stream of POST /api/accounts/signup, one every `intervalMs` whether or not the
 * previous ones answered (people keep arriving while the service struggles).
 */
export class SignupStream {
  readonly records: SignupRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly stack: ProcessStack,
    private readonly label: string,
    private readonly options: { intervalMs: number; timeoutMs?: number },
  ) {}

  start(): void {
    const send = (): void => {
      const record: SignupRecord = { email: `${this.label}${this.records.length + 1}@example.com`, startedAt: Date.now() };
      this.records.push(record);
      const request = this.stack.signup(record.email, { timeoutMs: this.options.timeoutMs ?? 60_000 }).then((outcome) => {
        record.outcome = outcome;
      });
      const tracked = request.finally(() => this.inFlight.delete(tracked));
      this.inFlight.add(tracked);
    };
    send();
    this.timer = setInterval(send, this.options.intervalMs);
  }

  /** Sends no more, and waits for every request sent to answer or time out. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }

  /** Addresses whose signup answered 201. */
  accepted(): string[] {
    return this.records.filter((record) => record.outcome?.status === 201).map((record) => record.email);
  }

  /** Requests that left in [from, to). */
  sentBetween(from: number, to: number): SignupRecord[] {
    return this.records.filter((record) => record.startedAt >= from && record.startedAt < to);
  }
}

/** Status counts of some requests, e.g. `201:40,timeout:3`. */
export function statusSummary(records: readonly SignupRecord[]): string {
  const counts = new Map<string, number>();
  for (const record of records) {
    const status = String(record.outcome?.status ?? 'none');
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  return [...counts].map(([status, count]) => `${status}:${count}`).join(',') || 'none';
}

/** The slowest answer among `records`, in ms. */
export function slowestMs(records: readonly SignupRecord[]): number {
  return Math.round(Math.max(0, ...records.map((record) => record.outcome?.ms ?? 0)));
}

/** The requests that got an HTTP answer (not a timeout or a connection error). */
export function answered(records: readonly SignupRecord[]): SignupRecord[] {
  return records.filter((record) => typeof record.outcome?.status === 'number');
}

/** The `q` quantile (0–1, nearest rank) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** What a signal to a process came to: its exit status and how long it took, or that it was still running. */
export interface SignalOutcome {
  exitedAfterMs: number | undefined;
  status: number | string | undefined;
}

/** Sends `signal` and waits up to `waitMs` for the process to exit (it is SIGKILLed afterwards if not). */
export async function signalAndWait(child: Child, signal: NodeJS.Signals, waitMs: number): Promise<SignalOutcome> {
  const sentAt = Date.now();
  child.process.kill(signal);
  const status = await Promise.race([
    child.exited,
    new Promise<undefined>((resolve) => {
      setTimeout(() => {
        resolve(undefined);
      }, waitMs);
    }),
  ]);
  if (status === undefined) {
    child.process.kill('SIGKILL');
    await child.exited;
    return { exitedAfterMs: undefined, status: undefined };
  }
  return { exitedAfterMs: Date.now() - sentAt, status };
}

/** The subject of the verification mail a signup triggers. */
export const VERIFY_SUBJECT = '이메일 주소를 인증해 주세요';

type Tally = ReturnType<typeof tallyMail>;

/**
 * The mail a fault case expects, counted at the SMTP server: a notice (by its unique title) to
 * every seeded recipient, and the verification mail of every signup a stream got 201 for.
 */
export class MailWatch {
  constructor(
    private readonly stack: ProcessStack,
    private readonly expected: { notice?: { title: string; recipients: readonly string[] }; signups?: SignupStream },
  ) {}

  /** Who of the recipients has the notice. */
  notice(): Tally {
    const notice = this.expected.notice;
    return notice ? tallyMail(notice.recipients, mailsWithSubject(this.stack.smtp.messages, notice.title)) : tallyMail([], []);
  }

  /** Notice mails the server accepted so far, copies included. */
  noticeMails(): number {
    const notice = this.expected.notice;
    return notice ? mailsWithSubject(this.stack.smtp.messages, notice.title).length : 0;
  }

  /** Who of `addresses` (default: every signup answered 201) has a verification mail. */
  verification(addresses: readonly string[] = this.expected.signups?.accepted() ?? []): Tally {
    return tallyMail(addresses, mailsWithSubject(this.stack.smtp.messages, VERIFY_SUBJECT));
  }

  /** Waits until all of it arrived, or nothing moves any more (see ProcessStack.settle). */
  settle(maxMs: number): Promise<'done' | 'idle' | 'timeout'> {
    return this.stack.settle({
      isDone: () => this.notice().lost === 0 && this.verification().lost === 0,
      progress: () => this.stack.smtp.messages.length,
      maxMs,
    });
  }

  /** Prints the broadcast's FAULT line (with its delivery rows from the admin API) and returns the tally. */
  async reportNotice(name: string, noticeId: number, extra: Figures = {}): Promise<Tally> {
    const tally = this.notice();
    const deliveries = await this.stack.deliveries(noticeId);
    reportFault(name, {
      recipients: tally.expected,
      ...extra,
      noticed: tally.reached,
      lost: tally.lost,
      doubled: tally.doubled,
      pendingRows: deliveries.pending,
      failedRows: deliveries.failed,
    });
    return tally;
  }
}
