import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { discoverTasks } from '../../src/processes/discover.ts';
import { celeryArguments, CeleryArgumentsError, defineTask, TaskRegistry } from '../../src/tasks/index.ts';

const mapped = (name: string, celeryName: string) =>
  defineTask(
    { name, queue: 'default', schema: z.object({}), celery: { name: celeryName, toPayload: () => ({}) } },
    () => Promise.resolve(null),
  );

describe('Celery names next to the tasks', () => {
  it('binds args and kwargs as a Python call does: positional first, then keywords, optional ones may be left out', () => {
    const signature = ['user_id', 'email?', 'domain?'];
    expect(celeryArguments(signature, [7, 'a@b.kr', 'x.kr'], {})).toEqual({ user_id: 7, email: 'a@b.kr', domain: 'x.kr' });
    expect(celeryArguments(signature, [], { user_id: 7, domain: 'x.kr' })).toEqual({ user_id: 7, domain: 'x.kr' });
    expect(celeryArguments(signature, [7], {})).toEqual({ user_id: 7 });
  });

  it("refuses what Python would refuse, in Python's words", () => {
    const signature = ['title', 'content', 'sender_name'];
    const refusal = (args: unknown[], kwargs: Record<string, unknown>): string => {
      try {
        celeryArguments(signature, args, kwargs);
      } catch (error) {
        expect(error).toBeInstanceOf(CeleryArgumentsError);
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal([1, 2, 3, 4], {})).toBe('takes 3 positional arguments but 4 were given');
    expect(refusal([1, 2, 3], { extra: true })).toBe("got an unexpected keyword argument 'extra'");
    expect(refusal([1, 2, 3], { title: 'again' })).toBe("got multiple values for argument 'title'");
    expect(refusal(['t'], {})).toBe("missing 2 required arguments: 'content', 'sender_name'");
  });

  it('refuses two tasks answering to one Celery name, naming both', () => {
    const registry = new TaskRegistry();
    registry.register(mapped('test.first', 'legacy.tasks.job'));
    expect(() => {
      registry.register(mapped('test.second', 'legacy.tasks.job'), 'second.tasks.ts');
    }).toThrow('duplicate Celery task name "legacy.tasks.job": test.first and test.second both answer to it (again in second.tasks.ts)');
    expect(registry.byCeleryName('legacy.tasks.job')?.name).toBe('test.first');
    expect(registry.byCeleryName('legacy.tasks.other')).toBeUndefined();
  });

  it("maps the original service's arguments to our payloads", async () => {
    const registry = await discoverTasks();
    const payloadOf = (celeryName: string, args: unknown[], kwargs: Record<string, unknown> = {}): unknown => {
      const task = registry.byCeleryName(celeryName);
      if (!task?.celery) throw new Error(`nothing answers to ${celeryName}`);
      return task.schema.parse(task.celery.toPayload(args, kwargs));
    };
    expect(payloadOf('accounts.tasks.send_verify_email', [7, 'a@b.kr', 'evil.example'])).toEqual({ userId: 7 });
    expect(payloadOf('accounts.tasks.send_reset_pw_email', [], { user_id: 8, email: 'a@b.kr', domain: 'x' })).toEqual({ userId: 8 });
    expect(payloadOf('notifications.tasks.send_mail_to_all', ['제목', '내용'], { sender_name: '운영팀' })).toEqual({
      title: '제목',
      content: '내용',
      senderName: '운영팀',
    });
    for (const name of ['load_employment_data_task', 'load_youth_policy_data_task', 'load_gov24_data_task']) {
      expect(payloadOf(`dataload.tasks.${name}`, [])).toEqual({ sample: false });
    }
    expect(payloadOf('config.celery.debug_task', [1], { a: 2 })).toEqual({ args: [1], kwargs: { a: 2 } });
  });
});
