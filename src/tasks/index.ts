export {
  defineTask,
  defineSchedule,
  taskIdOf,
  type Task,
  type AnyTask,
  type TaskContext,
  type TaskOptions,
  type ScheduleEntry,
  type RetryPolicy,
  type CeleryMapping,
} from './define-task.ts';
export type { TaskProducer, EnqueueOptions, EnqueueItem, TaskRef } from './producer.ts';
export { Broker } from './broker.ts';
export { TaskOutbox, OutboxProducer } from './outbox.ts';
export { OutboxRelay, type RedisLossRecovery, type RelayTick } from './outbox-relay.ts';
export { ResultStore, TaskFailedError, TASK_STATES, isFinished, type TaskState, type TaskResult, type WaitOptions } from './results.ts';
export { PermanentError, isPermanent, TaskPayloadError, UnknownTaskError, RedisUnavailableError } from './errors.ts';
export { TaskRegistry } from './registry.ts';
export { TaskWorker, type RateLimit } from './worker.ts';
export { QUEUE_NAMES, isQueueName, type QueueName } from './queues.ts';
export { depKey, Deps, MissingDependencyError, type DepKey } from '../utils/deps.ts';
export { TaskRunner, retryDelayMs, type TaskRunInfo, type TaskRunOutcome } from './run-task.ts';
export {
  CeleryProducer,
  CeleryTaskWorker,
  celeryArguments,
  CeleryArgumentsError,
  celeryToTaskResult,
  type CeleryProducerOptions,
  type CeleryResult,
  type SendCeleryTaskOptions,
} from './celery/index.ts';
