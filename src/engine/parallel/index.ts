/** The parallel engine (Block-STM on worker threads). */
export {
  type BlockStats,
  createParallelEngine,
  EngineStartError,
  type ParallelEngine,
  type ParallelEngineOptions,
} from "./engine.js";
export type { ExecutorFactory, ExecutorModuleSpec } from "./protocol.js";
export type { BlockTrace } from "./trace.js";
