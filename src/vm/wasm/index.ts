/** The node's WebAssembly tooling: contract validation and preparation (metering, memory). */
export type { DataSegment } from "./dataSegments.js";
export { dataCopyGas } from "./dataSegments.js";
export {
  DISPATCH_DUMP,
  DISPATCH_FRESH,
  DISPATCH_SNAPSHOT,
  DISPATCH_START_ONLY,
} from "./dispatcher.js";
export { HOST_ABI_VERSION, HOST_IMPORTS, HOST_MODULE } from "./hostImports.js";
export {
  CALL_EXPORT,
  GAS_GLOBAL,
  instrumentContract,
  instrumentModule,
  LOW_GLOBAL,
  MEMORY_IMPORT_MODULE,
  type PreparedModule,
  REACH_GLOBAL,
  STACK_GLOBAL,
} from "./instrument.js";
export { type ContractInfo, validateContract, validateModule } from "./validate.js";
