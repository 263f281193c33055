/**
 * A first-in first-out semaphore bounding the requests one client has in flight. Primero is often
 * self-hosted on small servers; a fan-out (pages prefetched, referrals of many cases) must not flood it.
 *
 * @module
 */
import { AbortError } from './errors.js';

/** @internal */
export class Limiter {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly max: number) {}

  /**
   * Takes a free slot at once, without a promise: the function that frees it, or undefined when every slot
   * is taken or others are already waiting (first come, first served: then {@link acquire} queues).
   * @throws the AbortError of a signal that has fired.
   */
  tryAcquire(signal?: AbortSignal): (() => void) | undefined {
    if (signal?.aborted) throw toAbortError(signal);
    if (this.#active >= this.max || this.#waiting.length) return undefined;
    this.#active++;
    return this.#releaser();
  }

  /** Waits for a free slot; resolves to the function that frees it (call it exactly once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw toAbortError(signal);
    if (this.#active < this.max) {
      this.#active++;
      return this.#releaser();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#active++;
        resolve(this.#releaser());
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(toAbortError(signal));
      };
      this.#waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#waiting.shift()?.();
    };
  }
}

/** @internal The error for a signal that fired: a timeout reason stays recognisable to the caller. */
export function toAbortError(signal: AbortSignal | undefined): AbortError {
  return new AbortError('The request was aborted', { cause: signal?.reason });
}
