import { describe, expect, it, vi } from 'vitest';

// The real list, behind a spy: what the stage module asks of the registry, and when.
const plannable = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../../processors/registry.ts', async (original) => {
  const real = await original<typeof import('../../../processors/registry.ts')>();
  return {
    ...real,
    plannableProcessors: (...args: Parameters<typeof real.plannableProcessors>) => {
      plannable.calls++;
      return real.plannableProcessors(...args);
    },
  };
});

describe('the stage table module', () => {
  it('asks the processor registry nothing when imported, and once when a table is first loaded', async () => {
    const { loadStages } = await import('./stages.ts');
    expect(plannable.calls).toBe(0);
    expect(loadStages()).toHaveLength(10);
    loadStages();
    expect(plannable.calls).toBe(1);
  });
});
