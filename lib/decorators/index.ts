/** The decorators' public surface. */
export { Timed, startTimer, type TimedOptions, type TimedMetric, type EndTimer } from './timed.js';
export { CountExceptions, type CountExceptionsOptions, type ErrorClass } from './count-exceptions.js';
export { GaugeInProgress, type GaugeInProgressOptions } from './gauge-in-progress.js';
export type { MethodDecorator, Outcome } from './method-decorator.js';
export type { LabelSource } from './label-source.js';
