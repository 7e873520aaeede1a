/** Waiting on events of an emitter (never on time). Not a test file itself. */
import type { EventEmitter } from 'node:events';

/** Resolves with the arguments of the first `event` whose arguments pass `pred`. */
export function next<T extends unknown[]>(em: EventEmitter, event: string, pred: (...args: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const on = (...args: unknown[]): void => {
      if (!pred(...(args as T))) return;
      em.off(event, on);
      resolve(args as T);
    };
    em.on(event, on);
  });
}
