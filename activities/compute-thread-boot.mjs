// The compute thread's entry (see compute-thread.ts). Node cannot start a worker thread from a
// .ts file, whatever loader the process was started with: register tsx here, then load the
// TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./compute-thread-entry.ts');
