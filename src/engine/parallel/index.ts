/** The parallel engine (Block-STM on worker threads). */
export {
  type BlockStats,
  type BlockTrace,
  createParallelEngine,
  type ParallelEngine,
  type ParallelEngineOptions,
} from "./engine.js";
export type { ExecutorFactory, ExecutorModuleSpec } from "./protocol.js";
