import { secretValues } from './secret-values.ts';

/**
 * Removes secrets from free text before it is stored, returned or logged: a provider's error message can quote the
 * API key it refused ("Incorrect API key provided: sk-RTCA****..."), a Salesforce error can carry a session id.
 * Two layers: every secret this process was configured with, by value, whatever its shape (secret-values.ts), then
 * these shape rules for the secrets it was not given (another org's session id, a key a provider made up).
 */
const SECRET_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_*.-]{6,}/g, // OpenAI-style keys, also partly masked ones
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, // JWTs
  /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]+/g, // Salesforce session ids (org id ! token)
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b(api[_-]?key|access[_-]?token|refresh[_-]?token|token|secret|password|signature|client[_-]?secret)(["']?\s*[:=]\s*["']?)[^\s"',;&]{4,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{40,}\b/g, // long key-shaped tokens (no UUIDs: they have dashes every few chars and are 36 long)
];

/**
 * Every shape rule at once, case-insensitive: matches wherever any rule could (a superset, as some rules are
 * case-sensitive), so text it does not match is left alone by every rule, and is tested once instead of rewritten by
 * each. Most text in a log line (ids, names, counts) is.
 */
const ANY_SECRET_SHAPE = new RegExp(SECRET_PATTERNS.map((p) => `(?:${p.source})`).join('|'), 'i');

/** The text with every configured secret value and every key-shaped secret replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = secretValues().redact(text);
  if (!ANY_SECRET_SHAPE.test(out)) return out;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, label?: string, sep?: string) =>
      typeof label === 'string' && typeof sep === 'string' && /[:=]/.test(sep) ? `${label}${sep}[redacted]` : '[redacted]',
    );
  }
  return out;
}

/**
 * A JSON-like value with `redactSecrets` applied to every string in it (keys are kept): for records that quote a
 * provider's answer, such as the generation record stored with a plan.
 */
export function redactSecretsIn<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  // An error's name and message are not enumerable: kept as such, they would turn into `{}`.
  if (value instanceof Error) return { name: value.name, message: redactSecrets(value.message) } as T;
  if (Array.isArray(value)) return value.map((v) => redactSecretsIn(v)) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecretsIn(v)])) as T;
}
