import type { CrmContext, WithheldInput } from './context.ts';
import type { ReadableFields } from './field-access.ts';
import { contextFieldValues, withheldMessage } from './withheld.ts';

const MASK = '[withheld]';

/** Money fields: a figure derived from them (a target price, an increase in %) is as telling as the value itself. */
const MONEY_FIELDS = new Set(['Opportunity.Amount', 'Opportunity.Current_ARR__c', 'Account.AnnualRevenue']);
const PERCENT_FIELDS = new Set(['Opportunity.Price_Increase_Cap__c']);
const EMAIL_FIELDS = new Set(['Contact.Email']);

/** `$265,000`, `USD 265k`, `265K`, `1.2 million`, `265,000 dollars`: an amount of money, in the spellings plans use. */
const MONEY_SHAPE =
  /(?:[$€£¥]|\b(?:USD|EUR|GBP)\s?)\s?\d[\d,.]*(?:\s?(?:[kKmMbB]\b|thousand\b|million\b|billion\b))?|\b\d[\d,.]*\s?(?:[kKmM]\b|(?:thousand|million|billion|USD|EUR|GBP|dollars|euros)\b)/g;
const PERCENT_SHAPE = /[+-]?\d+(?:[.,]\d+)?\s?(?:%|percent\b)/gi;
const EMAIL_SHAPE = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The number a money or percent spelling stands for (`$265k` → 265000), to let a figure the viewer may read through. */
function figureOf(spelling: string): number | null {
  const m = /(\d[\d,]*(?:\.\d+)?)\s*(k|m|b|thousand|million|billion)?/i.exec(spelling);
  if (!m) return null;
  const scale = { k: 1e3, thousand: 1e3, m: 1e6, million: 1e6, b: 1e9, billion: 1e9 }[(m[2] ?? '').toLowerCase()] ?? 1;
  const n = Number(m[1]!.replace(/,/g, '')) * scale;
  return Number.isFinite(n) ? n : null;
}

/** Close enough to be a rounding of the amount (`$248k` for 248,000; `$1.2M` for 1,234,567). */
const spellsAmount = (figure: number, value: number) => Math.abs(figure - value) <= Math.max(0.5, Math.abs(value) * 0.05);
/** A percentage rounded to one decimal at most (a 7% cap is "7%" or "7.0%", never "6.9%"). */
const spellsPercent = (figure: number, value: number) => Math.abs(figure - value) < 0.05;

/**
 * The patterns that find a value of a hidden field in free text, whatever the spelling a plan gives it. A small number
 * (a notice period, a head count) only with its unit: alone it is any number. Text the viewer reads anyway in a name
 * (an industry "Logistics" in "Acme Logistics") is no secret and is not masked.
 */
function valuePatterns(value: string | number | boolean, names: string[]): RegExp[] {
  if (typeof value === 'boolean') return [];
  if (typeof value === 'number') {
    const spellings = [...new Set([String(value), value.toLocaleString('en-US'), value.toFixed(2)])].map(escape);
    const unit = Math.abs(value) >= 1000 ? '' : '\\s?-?(?:days?|%|percent|employees|people)\\b';
    return spellings.map((s) => new RegExp(`(?<![\\d.,])${s}(?![\\d]|[.,]\\d)${unit}`, 'gi'));
  }
  const text = value.trim();
  if (text.length < 3 || names.some((n) => n.includes(text.toLowerCase()))) return [];
  const whole = (s: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(s)}(?![\\p{L}\\p{N}])`, 'giu');
  // Long free text (a description, a task's comments) is also found a sentence at a time: a plan quotes, not copies.
  const sentences = text.length > 40 ? text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim().length >= 20) : [];
  return [whole(text), ...sentences.map((s) => whole(s.trim()))];
}

/** The names in a context, which every viewer of the record reads (never withheld: see field-access.ts). */
const namesOf = (ctx: CrmContext) =>
  [
    ctx.opportunity.name,
    ctx.account.name,
    ctx.owner.name,
    ...ctx.contactRoles.map((r) => r.contact.name),
    ...[...(ctx.team?.opportunity ?? []), ...(ctx.team?.account ?? [])].map((m) => m.name),
  ].map((n) => n.toLowerCase());

/** A shape to mask, the figures of it the viewer may read, and when a spelling is one of them. */
type Shape = [pattern: RegExp, allowed: (string | number | boolean)[], spells: (figure: number, value: number) => boolean];
const shape = (...s: Shape): Shape => s;

interface StoredOutputMask {
  /** The fields masked for this viewer, as the plan view lists withheld inputs. */
  withheld: (WithheldInput & { message: string })[];
  /** A copy of a stored output (a plan view, a step's result) with every trace of those fields replaced. */
  apply<T>(output: T): T;
}

/**
 * A plan or a step analysis is stored as it was made, under the field access of the user who made it; another user who
 * can see the record (a manager, a teammate) may read fewer fields. This masks, in a stored output shown to such a
 * viewer, what it holds of the fields they cannot read: every value the stored context had for them (numbers in the
 * spellings plans use, text whole and sentence by sentence, ids), and, for money and email fields, every amount of
 * money, percentage and email address (a target price or an increase derived from a hidden amount is as telling as the
 * amount); a figure that spells a money or percent value the viewer may read stays. What a model wrote about a hidden
 * field in its own words (a yes/no field such as auto-renewal, a paraphrase) cannot be found by value: the viewer is
 * told the field is withheld, and docs/field-level-security.md says so.
 *
 * Returns null when the viewer reads every field the stored context has a value for (the output is shown as stored).
 */
export function maskStoredOutput(stored: CrmContext, viewer: ReadableFields): StoredOutputMask | null {
  const alreadyWithheld = new Set((stored.withheld ?? []).map((w) => w.field));
  const hidden = contextFieldValues(stored, (f) => !viewer.canRead(f) && !alreadyWithheld.has(f)).filter((h) => h.values.length > 0);
  if (hidden.length === 0) return null;
  const names = namesOf(stored);
  const patterns = hidden.flatMap((h) => h.values.flatMap((v) => valuePatterns(v, names)));
  // A number field of the output equal to a hidden amount (not a small count, which is any number) becomes null.
  const hiddenNumbers = new Set(hidden.flatMap((h) => h.values.filter((v): v is number => typeof v === 'number' && Math.abs(v) >= 1000)));
  const has = (set: Set<string>) => hidden.some((h) => set.has(h.field));
  // The money and percent values the viewer may read: their spellings are not masked by shape.
  const visible = contextFieldValues(stored, (f) => viewer.canRead(f));
  const visibleMoney = visible.filter((v) => MONEY_FIELDS.has(v.field)).flatMap((v) => v.values.filter((x) => typeof x === 'number'));
  const visiblePercent = visible.filter((v) => PERCENT_FIELDS.has(v.field)).flatMap((v) => v.values.filter((x) => typeof x === 'number'));
  const shapes: Shape[] = [
    ...(has(MONEY_FIELDS) ? [shape(MONEY_SHAPE, visibleMoney, spellsAmount), shape(PERCENT_SHAPE, visiblePercent, spellsPercent)] : []),
    ...(has(PERCENT_FIELDS) ? [shape(PERCENT_SHAPE, [], spellsPercent)] : []),
    ...(has(EMAIL_FIELDS) ? [shape(EMAIL_SHAPE, [], spellsAmount)] : []),
  ];
  const maskText = (text: string) => {
    let out = text;
    for (const [shape, allowed, spells] of shapes)
      out = out.replace(shape, (spelling) => {
        const figure = allowed.length ? figureOf(spelling) : null;
        return figure !== null && allowed.some((v) => typeof v === 'number' && spells(figure, v)) ? spelling : MASK;
      });
    for (const p of patterns) out = out.replace(p, MASK);
    return out;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return maskText(value);
    if (typeof value === 'number') return hiddenNumbers.has(value) ? null : value;
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return {
    withheld: hidden.map(({ field, label }) => ({ field, label, message: withheldMessage({ field, label }) })),
    apply: <T>(output: T) => walk(output) as T,
  };
}
