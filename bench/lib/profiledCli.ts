/**
 * `weft` with the main thread's CPU profile written on exit (Node 20 refuses `--cpu-prof` in
 * NODE_OPTIONS, and `launchNode` runs a script, not node flags): run as the `cli` of
 * `launchNode`, with `WEFT_CPU_PROF=<file>` in its environment.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const out = process.env.WEFT_CPU_PROF;
if (out === undefined) throw new Error("profiledCli: set WEFT_CPU_PROF to the profile's file");
const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.setSamplingInterval", { interval: 200 });
session.post("Profiler.start");
process.on("exit", () => {
  // The in-process session answers synchronously: the profile is written before the exit.
  session.post("Profiler.stop", (error, result) => {
    if (error === null) writeFileSync(out, JSON.stringify(result.profile));
  });
});
await import("../../src/cli/weft.js");
