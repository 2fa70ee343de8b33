import { z } from 'zod';

/** `?msg=` after an action redirected back, and the task it started. */
export const flashQuery = z.object({ msg: z.string().max(40).optional(), task: z.string().max(200).optional() });
export const idParams = z.object({ id: z.coerce.number().int().positive() });
export const pageNumber = z.coerce.number().int().min(1).max(100_000).default(1);
/** A filter select's value: true, false, or '' (any). */
export const queryBoolean = z
  .enum(['true', 'false', ''])
  .optional()
  .transform((value) => (value === 'true' ? true : value === 'false' ? false : undefined));
export const csrfBody = z.object({ _csrf: z.string().max(200).optional() });
export const noticeBody = csrfBody.extend({ title: z.string().max(10_000).default(''), content: z.string().max(100_000).default('') });
