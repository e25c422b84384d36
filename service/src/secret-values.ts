/**
 * The secrets this process was configured with, by value: a key of any shape (`vllm-3f9-local-key`) is redacted wherever
 * it appears, where the shape rules in secrets.ts only catch keys that look like keys. One registry per process, filled
 * from the configuration when it is loaded (config.ts), from what the service generates at start (the embedded
 * database's password, the embedded mode's API key) and, in tests, by `registerSecretValues`; `redactSecrets` and the
 * logger read it for every text.
 */

/**
 * Values shorter than this are not redacted by value. A 4-character "secret" (`test`, `none`, `true`) is as likely to be
 * an ordinary word of a message as a key, and replacing it everywhere would garble the text and, by where the holes
 * are, reveal it; 8 is the shortest secret NIST SP 800-63B accepts, and every secret the service generates is far
 * longer (API key 43 characters, database password 32). Shorter configured values still pass the shape rules.
 */
export const MIN_SECRET_LENGTH = 8;

/** Setting names that hold a secret: today's and any future `*_KEY`, `*_SECRET`, `*_TOKEN`, `*_PASSWORD`. */
const SECRET_SETTING = /(?:_KEY|_SECRET|_TOKEN|_PASSWORD)$|^PGPASSWORD$/;

/** The forms a value takes in the texts the service writes: as is, and escaped inside a JSON string or a URL. */
function formsOf(value: string): string[] {
  return [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
}

export class SecretValues {
  /** Longest first, so a secret that contains another is replaced whole. */
  private values: string[] = [];

  /** Adds values (ignoring empty, too short and already known ones); a PEM also adds each line of its body. */
  add(...values: (string | null | undefined)[]): this {
    const known = new Set(this.values);
    for (const value of values) {
      if (!value) continue;
      const parts = value.includes('-----BEGIN') ? [value, ...value.split(/\r?\n/).filter((l) => !l.startsWith('-----'))] : [value];
      for (const part of parts.map((p) => p.trim()))
        for (const form of formsOf(part)) if (form.length >= MIN_SECRET_LENGTH && !known.has(form)) known.add(form);
    }
    this.values = [...known].sort((a, b) => b.length - a.length);
    return this;
  }

  get size(): number {
    return this.values.length;
  }

  /** The text with every known secret value replaced by `[redacted]`. */
  redact(text: string): string {
    let out = text;
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join('[redacted]');
    return out;
  }
}

/**
 * The secret values in a configuration source (the environment): every setting named like a secret, and the password
 * of a database URL.
 */
export function secretValuesOf(source: Record<string, string | undefined>): string[] {
  const values = Object.entries(source)
    .filter(([name]) => SECRET_SETTING.test(name))
    .map(([, value]) => value?.trim());
  for (const name of ['DATABASE_URL']) {
    const url = source[name];
    if (!url) continue;
    try {
      const password = new URL(url).password;
      if (password) values.push(decodeURIComponent(password), password);
    } catch {
      // Not a URL: the configuration check reports it.
    }
  }
  return values.filter((v): v is string => !!v);
}

let registry = new SecretValues();

/** The process's registry of secret values. */
export const secretValues = (): SecretValues => registry;

/** Adds secret values to the process's registry (the configuration's, a generated key, a test's). */
export function registerSecretValues(...values: (string | null | undefined)[]): void {
  registry.add(...values);
}

/** Replaces the process's registry (tests); returns the one it replaced. */
export function useSecretValues(next: SecretValues): SecretValues {
  const previous = registry;
  registry = next;
  return previous;
}

/**
 * A JSON-like value with every configured secret value removed from its strings (keys are kept). Value redaction only,
 * without the shape rules: for stored records (plan content, step results, processor results) whose texts are the
 * product's own words, where a shape rule could mistake a long identifier for a key.
 */
export function redactSecretValuesIn<T>(value: T): T {
  if (registry.size === 0) return value;
  if (typeof value === 'string') return registry.redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactSecretValuesIn(v)) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecretValuesIn(v)])) as T;
}
