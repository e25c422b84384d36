import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { spanProcessors } from './tracing.ts';

describe('spanProcessors', () => {
  it('installs nothing when no span would go anywhere (no exporter, no OTLP endpoint)', () => {
    expect(spanProcessors({})).toBeUndefined();
    expect(spanProcessors({ otlpEndpoint: undefined })).toBeUndefined();
  });

  it('exports in batches over OTLP when an endpoint is set, and at once to an exporter a test gives', () => {
    expect(spanProcessors({ otlpEndpoint: 'http://otel-collector:4318' })).toEqual([expect.any(BatchSpanProcessor)]);
    expect(spanProcessors({ exporter: new InMemorySpanExporter() })).toEqual([expect.any(SimpleSpanProcessor)]);
  });
});
