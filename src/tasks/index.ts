export { defineTask, defineSchedule, type Task, type AnyTask, type TaskContext, type TaskDependencies, type ScheduleEntry, type RetryPolicy } from './define-task.ts';
export { Broker, setDefaultBroker, getDefaultBroker, type ApplyOptions, type TaskRef } from './broker.ts';
export { results, ResultStore, TASK_STATES, type TaskState, type TaskResult } from './results.ts';
export { PermanentError, TaskPayloadError, UnknownTaskError, RedisUnavailableError } from './errors.ts';
export { TaskRegistry, discoverTasks } from './registry.ts';
export { QUEUE_NAMES, isQueueName, type QueueName } from './queues.ts';
