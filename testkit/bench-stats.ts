import { readdirSync, readFileSync } from 'node:fs';
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
    /** The load average now, for a line printed during the bench. */
    current: () => now().join(' '),
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

/** CPU time (µs, user + system) a process has used so far, from /proc (Linux); NaN where it cannot be read. */
export function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (USER_HZ, 100 on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}

/**
 * The CPU a database's PostgreSQL backends use, from /proc (Linux): the database's share of a request or task, which
 * `process.cpuUsage()` does not see. Backends are found by their process titles, which name the database
 * (`postgres: 15/main: postgres rap_test_… 127.0.0.1(…) idle`), so another session's queries on the same server do not
 * count, and shared processes (WAL writer, checkpointer) are left out. `reading()` is each backend's CPU so far (µs) by
 * pid; `since(start)` is the CPU used from that reading to now — a backend that started in between counts whole, one
 * that exited is lost (benches keep their connections). NaN where there is no /proc.
 */
export function databaseCpu(database: string) {
  const reading = (): Map<number, number> => {
    const byPid = new Map<number, number>();
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return byPid;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
        if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(` ${database} `)) continue;
        byPid.set(Number(entry), processCpuMicros(Number(entry)));
      } catch {
        // The process ended while being read.
      }
    }
    return byPid;
  };
  return {
    reading,
    since(start: Map<number, number>): number {
      const end = reading();
      let used = end.size ? 0 : NaN;
      for (const [pid, micros] of end) used += micros - (start.get(pid) ?? 0);
      return used;
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
