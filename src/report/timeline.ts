import { surface } from './surface.js';

export interface PhaseTime {
  name: string;
  ms: number;
}

/** Runs each phase in a log group and keeps how long it took, for the job summary. */
export class Timeline {
  readonly phases: PhaseTime[] = [];

  async phase<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await surface().group(name, work);
    } finally {
      this.phases.push({ name, ms: performance.now() - start });
    }
  }
}
