import { z } from 'zod';
import { defineSchedule, defineTask } from '../../tasks/index.ts';
import { ASK } from './ask.service.ts';

/**
 * Deletes conversations (and their messages) untouched for ASK_RETENTION_DAYS. Idempotent: it
 * deletes by age, so a second run, or a run after a crash half-way, deletes what is left and no more.
 */
export const pruneAskConversations = defineTask(
  { name: 'ask.pruneConversations', queue: 'default', schema: z.object({}).default({}), retry: { attempts: 3, backoffMs: 60_000 }, uses: ASK },
  async (_payload, ctx) => {
    const deleted = await ctx.deps.prune();
    if (deleted > 0) ctx.log.info({ deleted }, 'ask: old conversations deleted');
    return { deleted };
  },
);

export const ASK_SCHEDULES = [
  defineSchedule({ id: 'prune-ask-conversations-daily-4am', task: pruneAskConversations, cron: '0 4 * * *', tz: 'Asia/Seoul', payload: {} }),
];
