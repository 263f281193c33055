/**
 * A credential that is replaced as a whole (a session, a JWT, an identity-provider token), with the two
 * guarantees every strategy needs: renewal is single-flight (N callers meeting an expired credential
 * cause one login), and a refusal of an already-replaced credential causes no new login.
 *
 * @module
 */

/** @internal */
export class Renewable<T> {
  #value: T | undefined;
  #generation = 0;
  #pending: Promise<T> | undefined;

  constructor(initial?: T) {
    if (initial !== undefined) this.set(initial);
  }

  /** The current credential, if any. */
  get value(): T | undefined {
    return this.#value;
  }

  /** Increases with each new credential; 0 means none was ever obtained. */
  get generation(): number {
    return this.#generation;
  }

  /** True while a renewal is under way. */
  get renewing(): boolean {
    return this.#pending !== undefined;
  }

  set(value: T): void {
    this.#value = value;
    this.#generation++;
  }

  clear(): void {
    this.#value = undefined;
  }

  /** Runs `obtain` unless a renewal is already under way, in which case its result is shared. */
  renew(obtain: () => Promise<T>): Promise<T> {
    if (this.#pending) return this.#pending;
    const pending = obtain().then(
      (value) => {
        this.set(value);
        return value;
      },
    );
    this.#pending = pending;
    const done = () => {
      if (this.#pending === pending) this.#pending = undefined;
    };
    pending.then(done, done);
    return pending;
  }

  /**
   * Renews only if `generation` is still the current one: a refusal of a credential that has since been
   * replaced just waits for any renewal in flight.
   */
  async renewIfCurrent(generation: number, obtain: () => Promise<T>): Promise<void> {
    if (generation === this.#generation) {
      await this.renew(obtain);
    } else if (this.#pending) {
      await this.#pending;
    }
  }
}
