// The dataload module's public API: the only file other code imports from this folder.
export { createDataload, type DataloadModuleDeps } from './dataload.module.ts';
export {
  DataloadService,
  type DataloadSettings,
  type PolicyCatalogue,
  type RunOptions,
  type RunSummary,
  type SampleEndpoints,
} from './dataload.service.ts';
export { LoadInProgressError, LoadRunError } from './dataload.errors.ts';
export { DATALOAD, LOAD_TASKS, loadEmploymentData, loadGov24Data, loadYouthPolicyData, type LoadTaskResult } from './dataload.tasks.ts';
export type { DataloadRunRow, RunMode, RunState } from './dataload.tables.ts';
export { SOURCE_INFO, SOURCE_NAMES, isSourceName, type LoadProgress, type PolicyDocument, type SourceName } from './dataload.types.ts';
export { ageText, conditionKeys, conditionsText, INCOME_BANDS, SUPPORT_CONDITION_CODES } from './eligibility.ts';
export { categoryKeyOf, documentText, REGION_KEYS, regionKeyOf } from './normalise.ts';
export { cloneDataset, generateDataset, loadFixtures, SAMPLE_NOW, type SampleDataset } from './sample-data.ts';
export { PublicApisPeer, startPublicApisPeer, type PeerFault } from './sample-server.ts';
