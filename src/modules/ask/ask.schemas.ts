import { z } from 'zod';
import { APPLICATION_STATUSES } from '../../utils/application-period.ts';
import { ASK_LIMITS } from './ask.service.ts';
import { FEEDBACK_VALUES } from './ask.tables.ts';

const QUESTION_MESSAGE = `질문(question)은 1자부터 ${ASK_LIMITS.questionMaxLength}자까지 입력할 수 있습니다.`;
const AGE_MESSAGE = `나이(profile.age)는 0부터 ${ASK_LIMITS.maxAge} 사이의 정수로 입력하세요.`;

export const askBody = z.object({
  question: z.string({ error: '질문(question)을 입력하세요.' }).trim().min(1, QUESTION_MESSAGE).max(ASK_LIMITS.questionMaxLength, QUESTION_MESSAGE),
  conversationId: z.uuid({ error: '대화(conversationId)는 이전 답변이 준 값이어야 합니다.' }).optional(),
  profile: z
    .object({
      age: z.number({ error: AGE_MESSAGE }).int({ error: AGE_MESSAGE }).min(0, { error: AGE_MESSAGE }).max(ASK_LIMITS.maxAge, { error: AGE_MESSAGE }).optional(),
      region: z.string({ error: '지역(profile.region)은 글자로 입력하세요.' }).trim().max(40, '지역(profile.region)은 40자까지 입력할 수 있습니다.').optional(),
    })
    .optional(),
});

export const citationSchema = z.object({ id: z.string(), title: z.string(), url: z.string(), status: z.enum(APPLICATION_STATUSES) });

export const filtersSchema = z.object({ age: z.number().int().nullable(), region: z.string().nullable(), status: z.enum(['any', 'open']) });

export const askResponse = z.object({
  conversationId: z.uuid(),
  messageId: z.uuid(),
  answer: z.string(),
  citations: z.array(citationSchema),
  filters: filtersSchema,
  matched: z.boolean(),
  answerer: z.string(),
});

export const messageParams = z.object({ messageId: z.uuid({ error: '답변(messageId)을 찾을 수 없습니다.' }) });

export const feedbackBody = z.object({ value: z.enum(FEEDBACK_VALUES, { error: '평가(value)는 up 또는 down입니다.' }) });

/** The page's form, as a browser sends it (empty fields are empty strings). */
export const askPageBody = z.object({
  question: z.string().max(2_000).default(''),
  conversationId: z.string().max(64).default(''),
  age: z.string().max(8).default(''),
  region: z.string().max(40).default(''),
});

export const askPageQuery = z.object({ c: z.string().max(64).optional() });

export const feedbackPageBody = z.object({
  messageId: z.string().max(64),
  conversationId: z.string().max(64),
  value: z.enum(FEEDBACK_VALUES),
});
