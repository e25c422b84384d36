import { pino, type Logger as PinoLogger } from 'pino';
import { secretValues } from './secret-values.ts';
import { redactSecrets, redactSecretsIn } from './secrets.ts';
import { currentTraceId } from './tracing.ts';

/**
 * The service's logger: pino, one JSON line per event (`level` by name, ISO `time`, `msg`, the fields, and `traceId`
 * inside a span). Callers pass facts, never secrets; three layers keep out the ones that slip through:
 * - pino's `redact` paths: the value under a key that names a secret, at the depths log fields use;
 * - the shape rules (secrets.ts) on the message and every text of the fields: a key quoted in a provider's error;
 * - the process's registry of secret values (secret-values.ts) on the whole line, keys and all, whatever the shape.
 */
type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line also carries `bindings` (a channel, a request id). */
  child(bindings: Record<string, unknown>): Logger;
}

/** Keys whose value is a secret whatever it looks like: HTTP headers, OAuth and JWT fields, keys and passwords. */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'x-api-key',
  'x-salesforce-assertion',
  'assertion',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'secret',
  'clientSecret',
  'client_secret',
  'password',
  'privateKey',
];

/** The secret settings by name, for a line that spreads the environment into its fields. */
const SECRET_SETTINGS = [
  'SERVICE_API_KEY',
  'SF_ACCESS_TOKEN',
  'SF_PRIVATE_KEY',
  'OPENAI_API_KEY',
  'SENDGRID_API_KEY',
  'MAILGUN_API_KEY',
  'MAILGUN_WEBHOOK_SIGNING_KEY',
  'PGPASSWORD',
];

const pathTo = (key: string, under: string) => (/^[A-Za-z_]\w*$/.test(key) ? `${under}.${key}` : `${under}["${key}"]`);

/**
 * pino's paths: the secret keys and settings among a line's fields, and the secret keys in `headers` and `req.headers`.
 * No wildcard paths (`*.token`): each costs every line a walk of its fields (the keys at every level down to four
 * made a line 30 times slower); deeper texts still pass the value and shape rules below.
 */
const REDACT_PATHS = [
  ...SECRET_SETTINGS,
  ...SECRET_KEYS.map((key) => pathTo(key, '').replace(/^\./, '')),
  ...['headers', 'req.headers'].flatMap((under) => SECRET_KEYS.map((key) => pathTo(key, under))),
];

let stdout: { write(line: string): void } | undefined;

/**
 * stdout, one write per turn of the event loop: the lines logged in one turn (the runs of a group of AI tasks that end
 * together, the requests one read of the sockets brought) go out together at the end of the turn, not in a write each.
 * A write to a pipe or a terminal wakes its reader: on 2 cores, one per line cost the executor ~10% of its CPU. The
 * writes are synchronous (sonic-boom, which retries a full pipe), and a process that exits writes what is pending
 * first: only one killed mid-turn (SIGKILL) loses that turn's lines. One writer per process, whatever the loggers.
 */
function stdoutByTurn(): { write(line: string): void } {
  if (stdout) return stdout;
  const destination = pino.destination({ dest: 1, sync: true });
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const lines = pending;
    pending = '';
    destination.write(lines);
  };
  process.on('exit', flush);
  stdout = {
    write(line: string) {
      if (!pending) setImmediate(flush);
      pending += line;
    },
  };
  return stdout;
}

/** A logger at `level` writing each line (without its newline) to `write`; stdout when omitted (`stdoutByTurn`). */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void): Logger {
  const logger = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // The trace id of the request, AI task or schedule run the line belongs to (tracing.ts).
      mixin: () => {
        const traceId = currentTraceId();
        return traceId ? { traceId } : {};
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redactSecretsIn(fields),
      },
      // The last pass sees the whole line, keys and all: no configured secret leaves in any field, whatever its name.
      hooks: { streamWrite: (line) => secretValues().redact(line) },
    },
    write ? { write: (line: string) => write(line.replace(/\n$/, '')) } : stdoutByTurn(),
  );
  return facade(logger);
}

/** The service's call shape, `log.warn(msg, fields)`, on a pino logger (whose own is `warn(fields, msg)`). */
function facade(logger: PinoLogger): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, fields: Record<string, unknown> = {}) =>
      logger[level](fields, redactSecrets(msg));
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => facade(logger.child(bindings)),
  };
}
