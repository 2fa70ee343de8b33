/**
 * Celery interop: Celery's task protocol 2 (JSON) over kombu's Redis transport, and Celery's Redis
 * result backend, so Python producers and workers share one Redis with ours. See docs/celery.md.
 */
export { CeleryActivity, readCeleryActive, type CeleryActiveTask } from './activity.ts';
export { celeryArguments, CeleryArgumentsError } from './arguments.ts';
export {
  CeleryConsumer,
  celeryRequestInfo,
  failureException,
  type CeleryConsumerOptions,
  type CeleryConsumerSnapshot,
  type CeleryExecute,
  type CeleryFailure,
  type CeleryOutcome,
} from './consumer.ts';
export {
  DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
  KOMBU_SEP,
  KombuKeys,
  KombuTransport,
  PRIORITY_STEPS,
  priorityStep,
  type FetchedMessage,
  type KombuTransportOptions,
  type RejectedEntry,
  type RestoreReport,
} from './kombu.ts';
export {
  CELERY_DEFAULT_QUEUE,
  CeleryProducer,
  sendCeleryTask,
  type CeleryProducerOptions,
  type SendCeleryTaskOptions,
} from './producer.ts';
export {
  decodeCeleryMessage,
  encodeCeleryMessage,
  envelopeOf,
  formatCeleryDate,
  parseCeleryDate,
  pyRepr,
  type CeleryCanvas,
  type CeleryDecodeResult,
  type CeleryException,
  type CeleryMessageSpec,
  type CeleryRejection,
  type CeleryTaskMessage,
  type JsonObject,
  type JsonValue,
} from './protocol.ts';
export {
  CELERY_STATES,
  CeleryResultBackend,
  CeleryResultFormatError,
  celeryToTaskResult,
  DEFAULT_RESULT_EXPIRES_SECONDS,
  READY_STATES,
  TASK_KEY_PREFIX,
  type CeleryRequestInfo,
  type CeleryResult,
  type CeleryResultBackendOptions,
  type CeleryState,
} from './result-backend.ts';
export { CeleryTaskWorker, type CeleryTaskWorkerOptions } from './worker.ts';
