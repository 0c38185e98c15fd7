/** The two ways the inc cases call a bound child, shared by the cluster worker and its single-process baseline. */

/** n incs in one synchronous run: the tight loop of the single-process `counter.bound` case. */
export const incsInOneRun = (child) => (n) => {
  for (let i = 0; i < n; i++) child.inc();
};

/**
 * n incs, each in a synchronous run of its own (an `await` between them), as a request handler
 * makes one or a few per request: what a worker does at the end of each run that wrote is counted.
 */
export const incPerRun = (child) => async (n) => {
  for (let i = 0; i < n; i++) {
    child.inc();
    await null;
  }
};
