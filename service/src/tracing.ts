import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry traces: one span per API request, AI task run and schedule run, with the trace id in every log line
 * and error response. The tracer provider is process-wide by OpenTelemetry's design (the API reads a global), so the
 * first installation wins; later ones (a second service in one test process) reuse it.
 *
 * Spans are recorded when they go somewhere: `OTEL_EXPORTER_OTLP_ENDPOINT` set (OTLP over HTTP, the exporter reads the
 * variable itself) or an exporter given (tests). Unset, nothing is installed: OpenTelemetry's API stays its no-op, no
 * span is made and no trace id is written (error bodies and the request's log lines still carry its request id). The
 * context a span needs across awaits is kept by AsyncLocalStorage, which on Node 20 hooks every promise of the process:
 * measured on the plan view's poll, ~190 µs of CPU per request (bench:http with BENCH_TRACING=1, docs/performance.md),
 * a cost paid only where traces are collected.
 */
let installed = false;

/** The span processors for the given exporter (tests: an in-memory one), else OTLP when an endpoint is set; none: no tracing. */
export function spanProcessors(opts: { exporter?: SpanExporter; otlpEndpoint?: string | undefined }): SpanProcessor[] | undefined {
  if (opts.exporter) return [new SimpleSpanProcessor(opts.exporter)];
  if (opts.otlpEndpoint) return [new BatchSpanProcessor(new OTLPTraceExporter())];
  return undefined;
}

/** Installs the tracer provider once, when spans go somewhere (`spanProcessors`); otherwise installs nothing. */
export function installTracing(opts: { exporter?: SpanExporter; otlpEndpoint?: string | undefined } = {}): void {
  const processors = spanProcessors(opts);
  if (installed || !processors) return;
  installed = true;
  // register() also installs the AsyncLocalStorage context manager (a span is current across awaits) and the W3C
  // trace-context propagator used to store a request's context with the tasks it creates.
  new NodeTracerProvider({ spanProcessors: processors }).register();
}

const tracer = () => trace.getTracer('renewal-action-plans');

/** The span `inSpan` hands its work when tracing is not installed: records nothing, as the API's no-op spans do. */
const NOT_RECORDING = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The current trace id, for log lines and error bodies; undefined outside any span. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** The current span's W3C `traceparent`, stored with what it creates (a finalized plan's AI tasks); null outside a span. */
export function currentTraceParent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** A link to the span a stored `traceparent` names (the request that created a task), when it is one. */
export function linkTo(traceParent: string | null | undefined): Link[] {
  if (!traceParent) return [];
  const spanContext = trace.getSpanContext(propagation.extract(context.active(), { traceparent: traceParent }));
  return spanContext && trace.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
}

/**
 * Runs `work` inside a new span (a child of the current one), ending it with the outcome: an exception is recorded
 * and rethrown. `kind` is SERVER for an API request, CLIENT for a call out, INTERNAL otherwise.
 */
export function inSpan<T>(
  name: string,
  options: { attributes?: Attributes; links?: Link[]; kind?: SpanKind },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  // Not installed: OpenTelemetry's no-op would make a non-recording span and a context for it at every call.
  if (!installed) return work(NOT_RECORDING);
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links },
    async (span) => {
      try {
        return await work(span);
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

export { SpanKind };
