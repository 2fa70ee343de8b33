// The system module's public API: the only file other code imports from this folder.
export { debugTask } from './system.tasks.ts';
