// The notifications module's public API: the only file other code imports from this folder.
export { createNotifications, type NotificationsModuleDeps } from './notifications.module.ts';
export {
  DELIVERY_PARALLELISM,
  DeliveryBusyError,
  NoticeNotFoundError,
  NOTICE_CONTENT_MAX,
  NOTICE_TITLE_MAX,
  NotificationsService,
  type DeliveryOutcome,
  type ChunkReport,
  type DispatchReport,
  type NoticeAccounts,
  type NoticeDetail,
  type NoticeView,
} from './notifications.service.ts';
export { NOTIFICATIONS, DELIVERY_RETRY, createAndSendNotice, deliverNotice, resumeNotice, sendNoticeToAll } from './notifications.tasks.ts';
export { createNoticeBody } from './notifications.schemas.ts';
export type { DeliveryCounts, DeliveryFailure } from './notifications.repository.ts';
