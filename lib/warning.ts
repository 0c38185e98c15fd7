/** The class of the warnings prometric emits through `process.emitWarning`. */

/**
 * A warning from prometric: something was left out or refused so that what is exposed stays
 * correct (for example a metric two workers declare differently). Emitted with
 * `process.emitWarning`, so `process.on('warning', ...)` sees it; `name` is `'PrometricWarning'`.
 */
export class PrometricWarning extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrometricWarning';
  }
}

/** Emits a {@link PrometricWarning}. */
export function warn(message: string): void {
  process.emitWarning(new PrometricWarning(message));
}
