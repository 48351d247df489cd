/**
 * A node worker that failed to start: its error as the typed error it was. Errors cross
 * threads as plain `Error`s that keep their `code` and `details`; a stack too small for
 * the VM comes back as `VmFault("STACK_TOO_SMALL")`, so the node refuses to open with it.
 */
import { VmFault } from "../vm/errors.js";

export function startupFault(worker: string, error: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const { code, details } = e as { code?: unknown; details?: unknown };
  if (code === "STACK_TOO_SMALL" || code === "STACK_OVERFLOW") {
    return new VmFault(code, e.message, Array.isArray(details) ? details.map(String) : [`in a ${worker}`]);
  }
  return e;
}
