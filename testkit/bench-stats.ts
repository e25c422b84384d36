import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';

/** The median of some figures (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** `median (range min–max)` of per-round figures, rounded. */
export const medianAndRange = (xs: number[]) =>
  `${median(xs).toFixed(0)} (range ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

/**
 * The machine's load average (1, 5, 15 min) when a bench starts, and at its end the lines that report it: before,
 * after, the number of cores, and a warning when the 1-minute load was above the cores (the figures then measure a
 * busy machine, not the code).
 */
export function loadReport() {
  const cores = cpus().length;
  const now = () => loadavg().map((l) => Number(l.toFixed(2)));
  const before = now();
  return {
    lines(): string[] {
      const after = now();
      const lines = [`load average (1, 5, 15 min) before: ${before.join(' ')}   after: ${after.join(' ')}   cores: ${cores}`];
      if (Math.max(before[0]!, after[0]!) > cores) {
        lines.push(`WARNING: the load average was above the number of cores (${cores}): these figures measure a busy machine.`);
      }
      return lines;
    },
  };
}

/**
 * CPU time (µs) the PostgreSQL backends serving this client's database have used so far, from /proc (Linux): the
 * database's share of a request, which `process.cpuUsage()` does not see. Only this database's backends count, so
 * another bench or test on the same server does not. `refresh` re-reads which backends those are (call it after the
 * pool has opened its connections).
 */
export function databaseCpu(sql: { unsafe: (q: string) => Promise<{ pid: number }[]> }) {
  let pids: number[] = [];
  return {
    async refresh(): Promise<void> {
      pids = (await sql.unsafe('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).map((r) => r.pid);
    },
    micros(): number {
      let total = 0;
      for (const pid of pids) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (USER_HZ, 100 on Linux).
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          total += (Number(fields[11]) + Number(fields[12])) * 10_000;
        } catch {
          // The backend ended (a pool connection closed): its time is no longer counted.
        }
      }
      return total;
    },
  };
}

/**
 * A local OTLP/HTTP endpoint that accepts span batches and drops them, for a bench run with tracing on
 * (`BENCH_TRACING=1`): the exporter does its real work (batching, serializing, posting) and nothing leaves the machine.
 * Returns the endpoint to set as OTEL_EXPORTER_OTLP_ENDPOINT.
 */
export async function otlpSink(): Promise<string> {
  const sink = createServer((req, res) =>
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')),
  );
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sink.unref();
  return `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
}
