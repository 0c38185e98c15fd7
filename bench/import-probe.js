/**
 * One import-time sample, in a fresh process: `node bench/import-probe.js [SPECIFIER]` imports the
 * package (none: the empty baseline, everything else the same), lets 10 ms pass so that work the
 * import schedules for its first turns of the event loop counts too, and prints the process's CPU
 * time (user + system, from start-up on) as `RESULT {"cpuMs": ...}`. bench/run.js subtracts the
 * empty baseline's median from a package's median.
 */
const specifier = process.argv[2];
if (specifier) await import(specifier);
await new Promise((resolve) => setTimeout(resolve, 10));
const { user, system } = process.cpuUsage();
process.stdout.write(`RESULT ${JSON.stringify({ cpuMs: (user + system) / 1000 })}\n`);
process.exit(0);
