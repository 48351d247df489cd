export type { CallOutcome, CallStatus } from "./callContract.js";
export { DeployError, type DeployErrorCode, VmFault, type VmFaultCode } from "./errors.js";
export { GAS } from "./gasSchedule.js";
export type { BlockEnv } from "./hostContext.js";
export * as limits from "./limits.js";
export { type CachedModule, compileContract, createModuleCache, type ModuleCache } from "./moduleCache.js";
export { type LogEvent, TxState } from "./txState.js";
export {
  type CallRequest,
  createVm,
  type DeployOutcome,
  type DeployRequest,
  type HostProfile,
  PROTOCOL_CALLER,
  type ValidationRequest,
  type Vm,
  type VmOptions,
} from "./vm.js";
export { type VmErrorName, vmError } from "./vmErrors.js";
