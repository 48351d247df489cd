/** The node's WebAssembly tooling: contract validation and metering instrumentation. */

export { HOST_ABI_VERSION, HOST_IMPORTS, HOST_MODULE } from "./hostImports.js";
export {
  GAS_GLOBAL,
  instrumentContract,
  instrumentModule,
  STACK_GLOBAL,
  START_EXPORT,
} from "./instrument.js";
export { type ContractInfo, validateContract, validateModule } from "./validate.js";
