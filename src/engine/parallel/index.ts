/** The parallel engine (Block-STM on worker threads). */
export { createParallelEngine } from "./engine.js";
export {
  type BlockStats,
  EngineStartError,
  type ParallelEngine,
  type ParallelEngineOptions,
} from "./engineApi.js";
export type { ExecutorFactory, ExecutorModuleSpec } from "./protocol.js";
export type { BlockTrace } from "./trace.js";
