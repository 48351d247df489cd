/** Types of `@weft-chain/weft/build` (contractBuild.mjs): the contract build as a library. */
export declare const SDK_DIR: string;
/** This package's npm name (`@weft-chain/weft`). */
export declare const PACKAGE_NAME: string;

export declare class ContractBuildError extends Error {
  readonly code: "NO_CONTRACTS" | "BAD_CONTRACT" | "COMPILE_FAILED";
  constructor(code: "NO_CONTRACTS" | "BAD_CONTRACT" | "COMPILE_FAILED", message: string);
}

export interface BuildContractsOptions {
  /** Paths are shown relative to it; the compiler runs in it. */
  root: string;
  /** Folders holding one folder per contract (`<name>/main.ts`); `bindings` only for this repository. */
  groups: { dir: string; bindings: boolean }[];
  outDir: string;
  /** How contracts import the SDK: by relative path (this repository) or as `@weft-chain/weft/contracts/sdk` (a project). */
  sdk?: "relative" | "package";
  names?: string[];
  force?: boolean;
  log?: (line: string) => void;
}

export declare function buildContracts(options: BuildContractsOptions): { built: string[]; cached: number };
