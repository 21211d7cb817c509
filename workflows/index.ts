// Entry point the worker bundles: every workflow type the task queue serves.
export { sweepWorkflow } from './sweep.js';
