import type { CrmContext } from '../salesforce/context.ts';

/** What a placeholder stands for, as the exchange's record keeps it (never the value itself). */
type MaskedKind = 'contact name' | 'user name' | 'part of a contact name' | 'part of a user name' | 'email' | 'phone number';

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/** International (+...) numbers, and North American ones with separators; ids, dates and amounts have neither shape. */
const PHONE = /\+\d[\d\s().-]{6,}\d|\(\d{3}\)\s?\d{3}[-.\s]\d{4}\b|\b\d{3}[-.]\d{3}[-.]\d{4}\b/g;
/** Scripts written without spaces between words: a name there is matched as a substring, not as a word. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;

/**
 * The trust layer between the CRM context and a model request: person names, emails and phone numbers of the context
 * become stable placeholders (`[CONTACT_1]`, `[EMAIL_1]`) in everything sent, and the answer's placeholders map back
 * to the values before validation. Placeholders are numbered in the context's order, so one context always masks the
 * same way (the evaluation rebuilds the mapping to read a recorded answer). The mapping lives only in memory.
 */
export class ModelMasking {
  /** Raw value → placeholder, longest value first (a full name before the surname inside it). */
  private readonly rules: { pattern: RegExp; placeholder: string }[] = [];
  private readonly values = new Map<string, string>();
  private readonly kinds = new Map<string, MaskedKind>();
  private readonly counters = new Map<string, number>();
  private readonly byValue = new Map<string, string>();

  constructor(ctx: CrmContext) {
    const people: [string, 'CONTACT' | 'USER'][] = [
      ...ctx.contactRoles.map((r) => [r.contact.name, 'CONTACT'] as [string, 'CONTACT']),
      [ctx.owner.name, 'USER'],
      ...[...(ctx.team?.opportunity ?? []), ...(ctx.team?.account ?? [])].map((m) => [m.name, 'USER'] as [string, 'USER']),
    ];
    for (const [name, kind] of people) {
      const placeholder = this.placeholderFor(name.trim(), kind, kind === 'CONTACT' ? 'contact name' : 'user name');
      if (!placeholder) continue;
      // A given name or a surname alone names the person too ("Call with Sarah"): its own placeholder, mapping back to
      // that part only. Matched with its capital (a surname such as Grant is a word too).
      name
        .trim()
        .split(/\s+/)
        .forEach((part, i) => {
          if (part.length < 3 && !UNSPACED_SCRIPT.test(part)) return;
          const partPlaceholder = `${placeholder.slice(0, -1)}_${i + 1}]`;
          if (this.byValue.has(part.toLowerCase())) return;
          this.values.set(partPlaceholder, part);
          this.kinds.set(partPlaceholder, kind === 'CONTACT' ? 'part of a contact name' : 'part of a user name');
          this.alias(part, partPlaceholder, false);
        });
    }
    for (const email of [ctx.owner.email, ...ctx.contactRoles.map((r) => r.contact.email)])
      if (email) this.placeholderFor(email, 'EMAIL', 'email');
  }

  /** The placeholders in use and what each stands for (the exchange's record). */
  get masked(): Record<string, MaskedKind> {
    return Object.fromEntries(this.kinds);
  }

  /** The text as sent to the model: every known value and every email or phone number found replaced. */
  mask(text: string): string {
    let out = text;
    for (const { pattern, placeholder } of this.rules) out = out.replace(pattern, placeholder);
    out = out.replace(EMAIL, (m) => this.placeholderFor(m, 'EMAIL', 'email') ?? m);
    return out.replace(PHONE, (m) => this.placeholderFor(m.trim(), 'PHONE', 'phone number') ?? m);
  }

  /** A decoded answer with its placeholders replaced by the values they stand for, at any depth. */
  unmask<T>(value: T): T {
    if (typeof value === 'string')
      return value.replace(/\[(?:CONTACT|USER|EMAIL|PHONE)_\d+(?:_\d+)?\]/g, (p) => this.values.get(p) ?? p) as T;
    if (Array.isArray(value)) return value.map((v) => this.unmask(v)) as T;
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.unmask(v)])) as T;
    return value;
  }

  private placeholderFor(value: string, prefix: string, kind: MaskedKind): string | undefined {
    if (value.length < 2) return undefined;
    const known = this.byValue.get(value.toLowerCase());
    if (known) return known;
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    const placeholder = `[${prefix}_${n}]`;
    this.values.set(placeholder, value);
    this.kinds.set(placeholder, kind);
    this.alias(value, placeholder);
    return placeholder;
  }

  private alias(value: string, placeholder: string, ignoreCase = true): void {
    const key = value.toLowerCase();
    if (this.byValue.has(key)) return;
    this.byValue.set(key, placeholder);
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = UNSPACED_SCRIPT.test(value) ? escaped : `(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`;
    this.rules.push({ pattern: new RegExp(pattern, ignoreCase ? 'giu' : 'gu'), placeholder });
    this.rules.sort((a, b) => b.pattern.source.length - a.pattern.source.length);
  }
}
