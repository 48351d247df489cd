/** What the benchmark report is built from: its options, the benchmark runs, and the comparison plot's file name. */
/** One benchmark program run by the report. */
export interface RunRecord {
  name: string;
  command: string;
  ms: number;
  status: "ok" | "failed" | "not run";
  exitCode?: number | null;
}

export interface ReportOptions {
  /** The folder with the JSON and SVG results; the report is written there. */
  dir: string;
  /** The machine the report runs on (bench/lib machineInfo()). */
  machine: Record<string, unknown>;
  runs?: RunRecord[];
  quick?: boolean;
  /** When the report's run started (results older than this are marked as earlier runs). */
  startedAt?: Date;
  command?: string;
}

export const EVM_COMPARISON_SVG = "report-evm-vs-weft.svg";
