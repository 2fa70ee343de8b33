import type { Logger } from 'pino';
import type { ApplicationStatus } from '../../utils/application-period.ts';
import { depKey } from '../../utils/deps.ts';
import { AppError } from '../../utils/errors.ts';
import { parseRegion, regionLabel, sidoOf, type Region } from '../../utils/regions.ts';
import type { PolicyDocument } from '../dataload/index.ts';
import type { SearchQuery, SearchResult } from '../policies/index.ts';
import type { AnswerFilters, Answerer, AnswerOutcome, NumberedDocument } from './answerer.ts';
import { extractQuestion, type ExtractedQuestion } from './ask.extract.ts';
import type { AskRepository, AttentionRow, ConversationRow } from './ask.repository.ts';
import type { AskMessageRow, Feedback, StoredCitation } from './ask.tables.ts';

/** Limits of a question, shared by the HTTP schema, the page and the service. */
export const ASK_LIMITS = { questionMaxLength: 500, maxAge: 120, documents: 5 } as const;

/**
 * Where a signed-in asker's profile comes from (accounts, once it has one): their 만 나이 and
 * region (`서울`, `서울 강남구`), or null. Optional: without it, only what the question and the
 * request body say is used.
 */
export type AskProfileSource = (userId: number) => Promise<{ age?: number; region?: string } | null>;

/** The part of the policies search ask reads through. */
export interface AskPolicies {
  search(query: SearchQuery): Promise<SearchResult>;
  /**
   * The cited documents, whole, in the order asked (unknown ids left out): from the same in-memory
   * catalogue the search ranked with, so no store round trip stands before the model request.
   */
  documentsOf(ids: readonly string[]): Promise<PolicyDocument[]>;
  statusOf(doc: Pick<PolicyDocument, 'applyStart' | 'applyEnd' | 'periodKind'>): ApplicationStatus;
}

export interface AskInput {
  question: string;
  /** Continue this conversation; unknown, or another user's, is a 404. */
  conversationId?: string | undefined;
  /** Filters the asker gives besides the question (the question's own words win). */
  profile?: { age?: number | undefined; region?: string | undefined } | undefined;
  /** The signed-in asker, if any: owns the conversation, and their profile fills the filters. */
  userId?: number | undefined;
  /** Aborted when the asker went away (a closed stream): the model request stops. */
  signal?: AbortSignal | undefined;
}

export interface AskFilters {
  age: number | null;
  /** `서울 강남구`, `서울`, `전국`, or null. */
  region: string | null;
  status: 'any' | 'open';
}

export type AskCitation = StoredCitation;

/** What a stream sends, in order: text pieces, the citations once, then the end. */
export type AskEvent =
  | { type: 'token'; text: string }
  | { type: 'citations'; citations: AskCitation[] }
  | { type: 'done'; conversationId: string; messageId: string; filters: AskFilters; matched: boolean; answerer: string };

export interface AskAnswer {
  conversationId: string;
  messageId: string;
  answer: string;
  citations: AskCitation[];
  filters: AskFilters;
  matched: boolean;
  answerer: string;
}

/** A prepared answer: everything checked and retrieved; `events` writes it (nothing was sent yet). */
export interface AskStream {
  filters: AskFilters;
  events: AsyncGenerator<AskEvent, void>;
}

export const ASK = depKey<AskService>('ask');

/** What an id of ours can look like (anything else is unknown without asking the database). */
const UUID_TEXT = /^[0-9a-f-]{36}$/i;

/** The search words when a question states only conditions ("27살인데 받을 수 있는 거 있어?"). */
const GENERIC_TOPIC = '청년 지원';

function regionKey(region: Region): string {
  return region.sido === null ? '전국' : [region.sido, region.sigungu].filter(Boolean).join(' ');
}

export interface AskServiceOptions {
  repository: AskRepository;
  policies: AskPolicies;
  answerer: Answerer;
  profiles: AskProfileSource | undefined;
  log: Logger;
  retentionDays: number;
  /** Questions per minute per user or client (the routes' limit). */
  rateLimitPerMinute: number;
  /** Dates `99년생`. Default: the real clock. */
  clock?: () => Date;
}

/**
 * Ask AInfo: a Korean question → filters (question, profile, the conversation so far) → the
 * policies search → an answer citing what it found, streamed, and the turn stored.
 */
export class AskService {
  private readonly clock: () => Date;

  constructor(private readonly options: AskServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  get rateLimitPerMinute(): number {
    return this.options.rateLimitPerMinute;
  }

  get answererName(): string {
    return this.options.answerer.name;
  }

  /**
   * Checks the input, resolves the filters and retrieves the documents; throws `AppError` (400
   * naming the field, 404 for a conversation that is not the asker's, 503 without the search)
   * before anything is sent. The answer itself is written as `events` are read.
   */
  async start(input: AskInput): Promise<AskStream> {
    const question = this.checkQuestion(input.question);
    // The conversation, its last turn and the asker's profile are read at once (they do not depend
    // on each other); the errors keep their order: the conversation's 404, then the profile's 400.
    const [thread, stated] = await Promise.allSettled([this.conversationSoFar(input.conversationId, input.userId), this.profileOf(input)]);
    if (thread.status === 'rejected') throw thread.reason;
    if (stated.status === 'rejected') throw stated.reason;
    const { conversation, previous } = thread.value;
    const profile = stated.value;
    const read = extractQuestion(question, this.clock());

    const previousFilters = previous?.filters ?? {};
    const age = read.age ?? profile.age ?? previousFilters.age ?? undefined;
    const region = read.region ?? profile.region ?? (previousFilters.region ? parseRegion(previousFilters.region) : undefined);
    const followUp = read.refersBack && previous !== undefined && previous.citations.length > 0;
    const openOnly = read.openNow || (followUp && previousFilters.status === 'open');
    const filters: AskFilters = { age: age ?? null, region: region ? regionKey(region) : null, status: openOnly ? 'open' : 'any' };
    const answerFilters: AnswerFilters = {
      age,
      regionLabel: region ? regionLabel(region) : undefined,
      sidoLabel: region?.sido && region.sigungu ? sidoOf(region.sido)?.name : undefined,
      openOnly,
    };

    const documents = followUp
      ? await this.previousDocuments(previous.citations, read)
      : await this.retrieve(read, { age, region, openOnly });
    const topic = read.topic || (followUp ? '' : GENERIC_TOPIC);
    const request = {
      question,
      topic,
      documents,
      filters: answerFilters,
      followUp: followUp ? { aspect: read.aspect } : undefined,
      ...(input.signal ? { signal: input.signal } : {}),
    };
    return { filters, events: this.write(request, { question, filters, conversationId: conversation?.id, userId: input.userId }) };
  }

  /** The whole answer at once (the JSON API and the page without script). */
  async ask(input: AskInput): Promise<AskAnswer> {
    return this.collect(await this.start(input));
  }

  /** Reads a prepared answer to its end. */
  async collect(stream: AskStream): Promise<AskAnswer> {
    let answer = '';
    let citations: AskCitation[] = [];
    for await (const event of stream.events) {
      if (event.type === 'token') answer += event.text;
      else if (event.type === 'citations') citations = event.citations;
      else return { conversationId: event.conversationId, messageId: event.messageId, answer, citations, filters: event.filters, matched: event.matched, answerer: event.answerer };
    }
    throw new Error('the answer ended without its last event');
  }

  private async *write(
    request: Parameters<Answerer['answer']>[0],
    turn: { question: string; filters: AskFilters; conversationId: string | undefined; userId: number | undefined },
  ): AsyncGenerator<AskEvent, void> {
    const generator = this.options.answerer.answer(request);
    let answer = '';
    let outcome: AnswerOutcome;
    for (;;) {
      const next = await generator.next();
      if (next.done) {
        outcome = next.value;
        break;
      }
      answer += next.value;
      yield { type: 'token', text: next.value };
    }
    const byNumber = new Map(request.documents.map((numbered) => [numbered.n, numbered]));
    const citations: AskCitation[] = outcome.cited.flatMap((n) => {
      const cited = byNumber.get(n);
      return cited ? [{ id: cited.doc.id, title: cited.doc.title, url: cited.doc.url, status: cited.status }] : [];
    });
    yield { type: 'citations', citations };
    const matched = request.documents.length > 0;
    const { repository } = this.options;
    const conversationId = turn.conversationId ?? (await repository.createConversation(turn.userId ?? null)).id;
    const stored = await repository.addMessage({
      conversationId,
      question: turn.question,
      answer,
      citations,
      filters: turn.filters,
      answerer: outcome.answerer,
      matched,
    });
    yield { type: 'done', conversationId, messageId: stored.id, filters: turn.filters, matched, answerer: outcome.answerer };
  }

  private checkQuestion(raw: unknown): string {
    const question = typeof raw === 'string' ? raw.trim() : '';
    if (question === '') throw new AppError(400, 'VALIDATION_FAILED', '질문(question)을 입력하세요.', [{ field: 'question', message: '질문(question)을 입력하세요.' }]);
    if (question.length > ASK_LIMITS.questionMaxLength) {
      const message = `질문(question)은 ${ASK_LIMITS.questionMaxLength}자까지 입력할 수 있습니다.`;
      throw new AppError(400, 'VALIDATION_FAILED', message, [{ field: 'question', message }]);
    }
    return question;
  }

  /**
   * The conversation being continued (404 unless it is the asker's) and its last turn, read
   * together: the turn of a conversation that turns out not to be the asker's is not used.
   */
  private async conversationSoFar(
    id: string | undefined,
    userId: number | undefined,
  ): Promise<{ conversation: { id: string } | undefined; previous: AskMessageRow | undefined }> {
    if (!id) return { conversation: undefined, previous: undefined };
    const known = UUID_TEXT.test(id);
    const { repository } = this.options;
    const [found, previous] = await Promise.all([known ? repository.findConversation(id) : undefined, known ? repository.lastMessage(id) : undefined]);
    return { conversation: this.owned(found, userId), previous };
  }

  private async ownConversation(id: string, userId: number | undefined): Promise<{ id: string }> {
    return this.owned(UUID_TEXT.test(id) ? await this.options.repository.findConversation(id) : undefined, userId);
  }

  private owned(found: ConversationRow | undefined, userId: number | undefined): { id: string } {
    // Another user's conversation reads as unknown: its existence is not for others to learn.
    if (!found || (found.userId !== null && found.userId !== userId)) {
      const message = '대화(conversationId)를 찾을 수 없습니다. 새 대화로 다시 질문하세요.';
      throw new AppError(404, 'CONVERSATION_NOT_FOUND', message, [{ field: 'conversationId', message }]);
    }
    return found;
  }

  /** The body's profile, else the signed-in asker's; a bad body value is a 400 naming it. */
  private async profileOf(input: AskInput): Promise<{ age: number | undefined; region: Region | undefined }> {
    const body = input.profile ?? {};
    if (body.age !== undefined && !(Number.isInteger(body.age) && body.age >= 0 && body.age <= ASK_LIMITS.maxAge)) {
      const message = `나이(profile.age)는 0부터 ${ASK_LIMITS.maxAge} 사이의 정수로 입력하세요.`;
      throw new AppError(400, 'VALIDATION_FAILED', message, [{ field: 'profile.age', message }]);
    }
    let region: Region | undefined;
    if (body.region !== undefined && body.region.trim() !== '') {
      region = parseRegion(body.region);
      if (!region) {
        const message = `지역(profile.region) “${body.region.trim()}”을(를) 알 수 없습니다. 시도(예: 서울)나 시도와 시군구(예: 서울 강남구)로 입력하세요.`;
        throw new AppError(400, 'VALIDATION_FAILED', message, [{ field: 'profile.region', message }]);
      }
    }
    let age = body.age;
    if ((age === undefined || !region) && input.userId !== undefined && this.options.profiles) {
      const stored = await this.options.profiles(input.userId).catch((error: unknown) => {
        // A profile that cannot be read leaves the filters to the question: an answer beats a 500.
        this.options.log.warn({ err: error }, 'ask: profile unavailable');
        return null;
      });
      age ??= stored?.age;
      region ??= stored?.region ? parseRegion(stored.region) : undefined;
    }
    return { age, region };
  }

  private async retrieve(read: ExtractedQuestion, filters: { age: number | undefined; region: Region | undefined; openOnly: boolean }): Promise<NumberedDocument[]> {
    const { policies } = this.options;
    const result = await policies.search({
      q: (read.topic || GENERIC_TOPIC).slice(0, 200),
      ...(filters.age !== undefined ? { age: filters.age } : {}),
      ...(filters.region ? { region: filters.region } : {}),
      status: filters.openOnly ? 'open' : 'any',
      limit: ASK_LIMITS.documents,
      offset: 0,
    });
    if (result.items.length === 0) return [];
    const docs = new Map((await policies.documentsOf(result.items.map((item) => item.id))).map((doc) => [doc.id, doc]));
    const numbered: NumberedDocument[] = [];
    for (const item of result.items) {
      const doc = docs.get(item.id);
      if (doc) numbered.push({ n: numbered.length + 1, doc, status: item.status });
    }
    return numbered;
  }

  /** A follow-up's documents: the previous answer's citations (one of them, when it names which). */
  private async previousDocuments(citations: readonly StoredCitation[], read: ExtractedQuestion): Promise<NumberedDocument[]> {
    const chosen = read.ordinal !== undefined && citations[read.ordinal] ? [citations[read.ordinal] as StoredCitation] : citations;
    const { policies } = this.options;
    const docs = new Map((await policies.documentsOf(chosen.map((citation) => citation.id))).map((doc) => [doc.id, doc]));
    const numbered: NumberedDocument[] = [];
    for (const citation of chosen) {
      const doc = docs.get(citation.id);
      if (doc) numbered.push({ n: numbered.length + 1, doc, status: policies.statusOf(doc) });
    }
    return numbered;
  }

  /** The turns of a conversation the asker may see, oldest first (the page shows them). */
  async history(conversationId: string, userId: number | undefined): Promise<{ id: string; question: string; answer: string; citations: AskCitation[]; feedback: Feedback | null }[]> {
    const conversation = await this.ownConversation(conversationId, userId);
    const rows = await this.options.repository.listMessages(conversation.id, 20);
    return rows.map((row) => ({ id: row.id, question: row.question, answer: row.answer, citations: row.citations, feedback: row.feedback }));
  }

  /** Thumbs up or down on an answer; another user's message, or an unknown one, is a 404. */
  async feedback(messageId: string, value: Feedback, userId: number | undefined): Promise<void> {
    const found = UUID_TEXT.test(messageId) ? await this.options.repository.findMessage(messageId) : undefined;
    if (!found || (found.userId !== null && found.userId !== userId)) {
      throw new AppError(404, 'MESSAGE_NOT_FOUND', '답변을 찾을 수 없습니다.', [{ field: 'messageId', message: '답변을 찾을 수 없습니다.' }]);
    }
    await this.options.repository.setFeedback(found.id, value);
  }

  /** Recent questions that found nothing or got a thumbs down: what the data lacks. */
  attention(limit = 50): Promise<AttentionRow[]> {
    return this.options.repository.attention(limit);
  }

  /** Deletes conversations untouched for ASK_RETENTION_DAYS; returns how many. Safe to repeat. */
  async prune(now: Date = this.clock()): Promise<number> {
    const before = new Date(now.getTime() - this.options.retentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const deleted = await this.options.repository.pruneBefore(before, 1_000);
      total += deleted;
      if (deleted < 1_000) return total;
    }
  }
}
