import { secretValues } from './secret-values.ts';
import { trace } from '@opentelemetry/api';
import { redactSecrets } from './secrets.ts';

/** A small structured logger: one JSON line per event on stdout. Callers pass facts, never secrets. */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEY = /authorization|token|secret|password|api[-_]?key|private[-_]?key|assertion/i;

/** Drops values under secret-looking keys, at any depth, and key-shaped secrets inside any text. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redactSecrets(value.message) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]));
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const min = LEVELS[level];
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[lvl] < min) return;
    // The trace id of the request, AI task or schedule run the line belongs to (service/src/tracing.ts).
    const span = trace.getActiveSpan();
    const traceId = span?.isRecording() ? span.spanContext().traceId : undefined;
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level: lvl,
      msg: redactSecrets(msg),
      ...(redact(fields ?? {}) as object),
      ...(traceId && { traceId }),
    });
    // The last pass sees the whole line, keys and all: no configured secret leaves in any field, whatever its name.
    write(secretValues().redact(line));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
