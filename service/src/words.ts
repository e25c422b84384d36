/**
 * A count with its noun, singular or plural: the service's words are English.
 * @example plural(1, 'business day') // '1 business day'; plural(3, 'task') // '3 tasks'
 */
export function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
