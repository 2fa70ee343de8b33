import { z } from 'zod';
import { NOTICE_CONTENT_MAX, NOTICE_TITLE_MAX } from './notifications.limits.ts';

export const createNoticeBody = z.object({
  title: z
    .string()
    .trim()
    .min(1, '제목을 입력해 주세요.')
    .max(NOTICE_TITLE_MAX, `제목은 ${NOTICE_TITLE_MAX}자 이하여야 합니다.`)
    // eslint-disable-next-line no-control-regex -- a title becomes a mail header: no control characters
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), '제목에는 줄바꿈이나 제어 문자를 쓸 수 없습니다.'),
  content: z
    .string()
    .min(1, '내용을 입력해 주세요.')
    .max(NOTICE_CONTENT_MAX, `내용은 ${NOTICE_CONTENT_MAX}자 이하여야 합니다.`)
    .refine((value) => value.trim() !== '', '내용을 입력해 주세요.'),
});

export const noticeIdParams = z.object({ id: z.coerce.number().int().positive() });

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

const deliveryCounts = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  pendingWithError: z.number().int(),
});

export const noticeView = z.object({
  id: z.number().int(),
  title: z.string(),
  content: z.string(),
  contentHtml: z.string(),
  createdBy: z.uuid().nullable().describe('public id of the admin who wrote it'),
  createdAt: z.string(),
  sentBy: z.string().nullable(),
  sentAt: z.string().nullable(),
  recipientsSnapshotAt: z.string().nullable(),
  deliveries: deliveryCounts,
});

export const noticeDetail = noticeView.extend({
  failures: z.array(
    z.object({
      deliveryId: z.number().int(),
      userId: z.uuid().nullable().describe('public id of the recipient'),
      email: z.string(),
      reply: z.string(),
      failedAt: z.string(),
    }),
  ),
  stalled: z.boolean().describe('pending deliveries nothing has moved for 2 minutes: resume them (POST …/resume)'),
});

export const noticeList = z.object({
  items: z.array(noticeView),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const sendAccepted = z.object({ taskId: z.string(), alreadyRequested: z.boolean() });
export const resumeAccepted = z.object({ taskId: z.string(), round: z.number().int() });

export const unsubscribeQuery = z.object({ token: z.string().max(100).optional() });

/**
 * JSON `{ token }`, a form with `token`, or the RFC 8058 one-click form
 * (`List-Unsubscribe=One-Click`, token in the URL).
 */
export const unsubscribeBody = z
  .object({ token: z.string().max(100).optional(), 'List-Unsubscribe': z.string().max(100).optional() })
  // A bodiless POST reaches validation as null.
  .nullish();

export const unsubscribeFormBody = z.object({ token: z.string().max(100) });

export const unsubscribed = z.object({ unsubscribed: z.literal(true) });
