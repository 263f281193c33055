/**
 * The few cookies a Primero cookie session needs (`_app_session`, `CSRF-TOKEN`), held per client. Node's
 * fetch keeps no cookies, and a general-purpose jar would be a dependency for two names on one host.
 *
 * @module
 */

/** @internal */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Applies the `Set-Cookie` headers of a response; an expired or emptied cookie is dropped. */
  update(headers: Headers): string[] {
    const changed: string[] = [];
    for (const line of setCookieLines(headers)) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', raw = ''] = attribute.split('=').map((s) => s.trim());
        if (/^max-age$/i.test(key)) return Number(raw) <= 0;
        if (/^expires$/i.test(key)) return Date.parse(raw) <= Date.now();
        return false;
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
      changed.push(name);
    }
    return changed;
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  get size(): number {
    return this.#cookies.size;
  }

  clear(): void {
    this.#cookies.clear();
  }

  /** Takes every cookie of `other` in place of this jar's own. */
  adopt(other: CookieJar): void {
    this.#cookies.clear();
    for (const [name, value] of other.#cookies) this.#cookies.set(name, value);
  }

  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (!this.#cookies.size) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function setCookieLines(headers: Headers): string[] {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  const joined = headers.get('set-cookie');
  // Without getSetCookie the lines arrive comma-joined; a comma followed by `name=` starts the next one.
  return joined ? joined.split(/,(?=\s*[^;,=\s]+=)/) : [];
}
