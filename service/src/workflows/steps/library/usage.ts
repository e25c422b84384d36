import type { CrmContext } from '../../../salesforce/context.ts';

/** A usage or adoption figure read from an activity's notes ("82% of the 420 licensed seats active"). */
interface UsageSignal {
  activityId: string;
  date: string | null;
  percent: number;
  text: string;
}

// Adoption percentages as CSMs log them: "82% of the seats active", "adoption is at 91%".
const USAGE = [
  /(\d{1,3})\s?% of (?:the )?[\w\s]{0,30}?(?:seats|licen[cs]es|users)[^.]*?active/i,
  /(?:adoption|usage|utili[sz]ation)[^.%]{0,40}?(\d{1,3})\s?%/i,
];
const GROWTH = /(?:up|grew|increased?)\s(\d{1,3})\s?%/i;

/** The usage signals in the recent activities, newest first. */
export function usageSignals(ctx: CrmContext): UsageSignal[] {
  const found: UsageSignal[] = [];
  for (const a of ctx.activities) {
    const text = `${a.subject ?? ''}. ${a.description ?? ''}`;
    for (const re of USAGE) {
      const m = re.exec(text);
      if (m) {
        const sentence = text
          .slice(Math.max(0, text.lastIndexOf('.', m.index) + 1), text.indexOf('.', m.index + m[0].length) + 1 || undefined)
          .trim();
        found.push({ activityId: a.id, date: a.date, percent: Number(m[1]), text: sentence });
        break;
      }
    }
  }
  return found;
}

/** Growth mentioned in activity notes ("shipments tracked up 30%"), the newest first. */
export function growthSignals(ctx: CrmContext): { activityId: string; percent: number }[] {
  return ctx.activities.flatMap((a) => {
    const m = GROWTH.exec(a.description ?? '');
    return m ? [{ activityId: a.id, percent: Number(m[1]) }] : [];
  });
}
