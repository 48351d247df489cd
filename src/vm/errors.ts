/**
 * Errors of the VM layer. A module rejected at deployment throws `DeployError` with a
 * code naming the reason. Failures of a running contract are not exceptions to callers:
 * they become statuses and revert data in receipts (see `callFrame.ts`).
 */

export type DeployErrorCode =
  | "MALFORMED_MODULE"
  | "FLOAT_NOT_ALLOWED"
  | "FEATURE_NOT_ALLOWED"
  | "IMPORT_NOT_ALLOWED"
  | "MEMORY_LIMIT"
  | "TABLE_LIMIT"
  | "CODE_TOO_LARGE"
  | "MISSING_EXPORT"
  | "RESERVED_EXPORT"
  | "BAD_EXPORT_SIGNATURE"
  | "MODULE_LIMIT";

/** A contract module that may not be deployed, and why. */
export class DeployError extends Error {
  readonly code: DeployErrorCode;
  readonly details: string[];
  constructor(code: DeployErrorCode, message: string, details: string[] = []) {
    super(message);
    this.name = "DeployError";
    this.code = code;
    this.details = details;
  }
}
