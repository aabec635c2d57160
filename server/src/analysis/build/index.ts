/** The model builder: `buildModel` and the options and helpers other layers read. */
export { buildModel } from './buildModel';
export type { BuildInput } from './state';
export { OutlineCache } from './outlineCache';
export { BodyCache } from './bodyCache';
export {
  defaultIsRegistrationCallee,
  defaultIsRoleType,
  defaultIsWdfStructType,
  type AnalysisOptions,
} from './options';
export { structTypeName } from './registrations';
export { findPagedSections } from './paging';
