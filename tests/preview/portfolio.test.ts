/**
 * The renewalPortfolio component in a real browser: compiled with LWC OSS (npm run build:preview), served at
 * /preview/portfolio by the real service in embedded mode (its own PostgreSQL server, the local org emulator), in
 * Debian's Chromium. It sorts by days to renewal and opens a row.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../../testkit/chromium.ts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVIEW_DIST, ensurePreviewBuilt } from '../../scripts/build-preview.ts';
import { loadConfig } from '../../service/src/config.ts';
import { createLogger } from '../../service/src/log.ts';
import { startService, type RunningService } from '../../service/src/server.ts';
import { DEMO_IDS } from '../../dev/demo-seed/demo-ids.ts';
import { startPreviewFront } from './front.ts';

const API_KEY = 'preview-portfolio-key-0123456789abcdefghijklmnop';
const CSM = DEMO_IDS.users.jordanLee;
// Test output, not committed (preview/dist is gitignored): the portfolio as a 1280 px laptop screen shows it.
const SCREENSHOT = join(PREVIEW_DIST, 'screenshots', 'renewal-portfolio-1280px.png');

describe('the renewal portfolio preview in Chromium', () => {
  let dataDir: string;
  let service: RunningService;
  let front: { url: string; close(): Promise<void> } | undefined;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rap-portfolio-'));
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SERVICE_API_KEY: API_KEY,
      TODAY: '2026-11-25',
    } as NodeJS.ProcessEnv;
    const [, started] = await Promise.all([ensurePreviewBuilt(), startService(loadConfig(env), createLogger('silent'))]);
    service = started;
    const own = await fetch(`${service.url}/preview/portfolio`).then(
      (r) => (r.ok ? r.text() : ''),
      () => '',
    );
    let base = service.url;
    if (!own.includes('Local preview')) {
      front = await startPreviewFront(PREVIEW_DIST, service.url);
      base = front.url;
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => void pageErrors.push(error.message));
    await page.goto(`${base}/preview/portfolio#key=${API_KEY}&user=${CSM}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await front?.close();
    await service?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The Days to renewal column, top to bottom. */
  const days = async () =>
    (await page.locator('lightning-datatable tbody tr td[data-label="Days to renewal"]').allInnerTexts()).map((t) => Number(t.trim()));
  const names = () => page.locator('lightning-datatable tbody tr th[data-label="Opportunity"]').allInnerTexts();

  it('shows the four demo renewals, soonest first, with their risks', async () => {
    await expect.poll(async () => (await days()).length, { timeout: 20_000 }).toBe(4);
    expect(await days()).toEqual([10, 75, 165, 220]);
    expect((await names()).map((n) => n.trim().split(' — ')[0])).toEqual([
      'Globex Manufacturing',
      'Northwind Health',
      'Acme Logistics',
      'Initech Software',
    ]);
    const acme = page.locator('lightning-datatable tbody tr', { hasText: 'Acme Logistics' });
    expect(await acme.locator('td[data-label="Risks"]').innerText()).toContain('No contact role is the Economic Buyer');
  });

  it('fits 1280 px: no header cut short, no sideways scrolling, names on at most two lines', async () => {
    await expect.poll(async () => (await days()).length, { timeout: 20_000 }).toBe(4);
    mkdirSync(join(PREVIEW_DIST, 'screenshots'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // A header is cut short when its label (the span that truncates, or that wraps and clamps with wrap-table-header)
    // is wider or taller than the room it has: the ellipsis the screenshot showed as "Rene…" and "Day…".
    const headers = await page.locator('lightning-datatable thead th').evaluateAll((ths) => {
      // The label lives in the header cell's (synthetic) shadow tree.
      const deep = (root: ParentNode): Element[] =>
        [...root.querySelectorAll('*')].flatMap((el) => [el, ...(el.shadowRoot ? deep(el.shadowRoot) : [])]);
      return ths.map((th) => {
        const labels = deep(th).filter((el) => /\bslds-(truncate|line-clamp)\b/.test(el.className) && el.textContent!.trim() !== '');
        return {
          name: th.getAttribute('aria-label'),
          labels: labels.length,
          cut: labels
            .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
            .map((el) => el.textContent!.trim()),
        };
      });
    });
    for (const h of headers) expect(h.labels, `header "${h.name}" has a label`).toBeGreaterThan(0);
    expect(headers.length).toBeGreaterThanOrEqual(10);
    for (const h of headers) expect(h.cut, `header "${h.name}" is cut short`).toEqual([]);
    const table = await page
      .locator('lightning-datatable .slds-scrollable_x')
      .first()
      .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(table.scroll, 'the table scrolls sideways').toBeLessThanOrEqual(table.client);
    const names = await page.locator('lightning-datatable tbody th[data-label="Opportunity"] button').evaluateAll((buttons) =>
      buttons.map((b) => {
        const style = getComputedStyle(b);
        return { text: b.textContent, lines: Math.round(b.getBoundingClientRect().height / parseFloat(style.lineHeight)) };
      }),
    );
    for (const n of names) expect(n.lines, `"${n.text}" wraps over ${n.lines} lines`).toBeLessThanOrEqual(2);
  });

  it('sorts by days to renewal, latest first, when the column is sorted again', async () => {
    const header = page.locator('lightning-datatable thead th[aria-label="Days to renewal"]');
    // The column is sorted ascending already: one click sorts it descending (the service answers in that order).
    await header.locator('a').first().click();
    await expect.poll(days, { timeout: 20_000 }).toEqual([220, 165, 75, 10]);
    await header.locator('a').first().click();
    await expect.poll(days, { timeout: 20_000 }).toEqual([10, 75, 165, 220]);
  });

  it('filters by stage through the combobox', async () => {
    await page.locator('lightning-combobox[data-id="stage"] button, lightning-combobox[data-id="stage"] input').first().click();
    await page.locator('lightning-base-combobox-item', { hasText: 'Negotiate' }).click();
    await expect.poll(days, { timeout: 20_000 }).toEqual([75]);
    await page.locator('lightning-combobox[data-id="stage"] button, lightning-combobox[data-id="stage"] input').first().click();
    await page.locator('lightning-base-combobox-item', { hasText: 'All stages' }).click();
    await expect.poll(days, { timeout: 20_000 }).toEqual([10, 75, 165, 220]);
  });

  it('opens the opportunity of a row', async () => {
    const row = page.locator('lightning-datatable tbody tr', { hasText: 'Northwind Health' });
    await row.getByRole('button', { name: /Northwind Health/ }).click();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { previewNavigations?: unknown[] }).previewNavigations ?? []))
      .toEqual([
        {
          type: 'standard__recordPage',
          attributes: { recordId: DEMO_IDS.opportunities.northwind, objectApiName: 'Opportunity', actionName: 'view' },
        },
      ]);
    expect(await page.locator('#navigation').innerText()).toBe(
      `Salesforce would open /lightning/r/Opportunity/${DEMO_IDS.opportunities.northwind}/view`,
    );
    expect(pageErrors).toEqual([]);
  });
});
