// The admin module's public API: the only file other code imports from this folder.
export { ADMIN, createAdmin, type Admin, type AdminModuleDeps } from './admin.module.ts';
export { AdminService, type AdminIdentity, type AdminSession, type LoginResult } from './admin.service.ts';
export { AdminOperations } from './admin.operations.ts';
export { LOGIN_PAGE_PER_MINUTE } from './admin.http.ts';
