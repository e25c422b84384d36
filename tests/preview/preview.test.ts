/**
 * End to end in a real browser: the renewalActionPlan component, compiled with LWC OSS (npm run build:preview),
 * against the real service in embedded mode (its own PostgreSQL server, local org emulator, playbook planner), in
 * Debian's Chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREVIEW_DIST, ensurePreviewBuilt } from '../../scripts/build-preview.ts';
import { loadConfig } from '../../service/src/config.ts';
import { createLogger } from '../../service/src/log.ts';
import { startService, type RunningService } from '../../service/src/server.ts';
import { DEMO_IDS } from '../../dev/org-emulator/demo-ids.ts';
import { startPreviewFront } from './front.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const API_KEY = 'preview-e2e-key-0123456789abcdefghijklmnopqrstuv';
const OPPORTUNITY = DEMO_IDS.opportunities.acme; // the Discovery story
const CSM = DEMO_IDS.users.jordanLee;
const SCREENSHOT = join(PREVIEW_DIST, 'screenshots', 'renewal-action-plan.png');

describe('the action plan preview in Chromium', () => {
  let dataDir: string;
  let service: RunningService;
  let front: { url: string; close(): Promise<void> } | undefined;
  let browser: Browser;
  let page: Page;
  let pageUrl: string;

  const api = async (path: string) => {
    const response = await fetch(`${service.url}${path}`, { headers: { Authorization: `Bearer ${API_KEY}`, 'X-Salesforce-User-Id': CSM } });
    return response.json();
  };
  const aiStatuses = () => page.locator('c-action-plan-ai-tasks [data-id="status"]').allInnerTexts();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (Debian), or set CHROMIUM_PATH`);
    dataDir = mkdtempSync(join(tmpdir(), 'rap-preview-'));
    const env = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SERVICE_API_KEY: API_KEY } as NodeJS.ProcessEnv;
    const [, started] = await Promise.all([ensurePreviewBuilt(), startService(loadConfig(env), createLogger('silent'))]);
    service = started;
    // Once the service serves /preview/ itself, use it; until then put the built page in front of its API.
    const own = await fetch(`${service.url}/preview/`).then((r) => (r.ok ? r.text() : ''), () => '');
    let base = service.url;
    if (!own.includes('local preview')) {
      front = await startPreviewFront(PREVIEW_DIST, service.url);
      base = front.url;
    }
    pageUrl = `${base}/preview/#key=${API_KEY}&user=${CSM}&opportunity=${OPPORTUNITY}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await front?.close();
    await service?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the Discovery stage and generates the plan', async () => {
    await page.goto(pageUrl);

    await expect.poll(() => page.locator('[data-id="stage"]').innerText()).toBe('Discovery');
    expect(await page.locator('[data-id="days"]').innerText()).toMatch(/^16\d days to renewal/);
    await page.getByRole('button', { name: 'Generate Action Plan' }).click();

    await page.getByRole('heading', { name: 'Process Completed' }).waitFor();
    for (const section of ['AI Action Items', 'CSM Action Items', 'Timeline', 'Key Metrics', 'Next Workflow']) {
      expect(await page.getByRole('heading', { name: section }).isVisible()).toBe(true);
    }
    expect(await page.locator('[data-id="plan-status"]').innerText()).toBe('Version 1 · Draft');
    expect((await aiStatuses()).length).toBeGreaterThan(0);
    expect(await page.locator('c-action-plan-csm-tasks li[data-key]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-id="timeline-step"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-id="next-workflow"]').innerText()).toContain('Prepare');
    await page.locator('.slds-notify_toast', { hasText: 'Action plan generated' }).waitFor();
  }, 60_000);

  it('saves an edited task and finalizes, then follows the AI tasks live', async () => {
    await page.getByRole('button', { name: 'Edit Tasks' }).click();
    const action = page.locator('c-action-plan-csm-tasks [data-field="action"] input').first();
    expect(await action.evaluate((input) => input === (input.getRootNode() as Document | ShadowRoot).activeElement)).toBe(true);
    await action.fill('Call Eric Estrada this week');
    await action.blur();
    await page.getByRole('button', { name: 'Done Editing' }).click();
    await page.locator('c-action-plan-csm-tasks [data-id="action"]', { hasText: 'Call Eric Estrada this week' }).waitFor();

    await page.getByRole('button', { name: 'Finalize Action Plan' }).click();
    await page.getByRole('button', { name: 'OK' }).click();

    await expect.poll(() => page.locator('[data-id="plan-status"]').innerText(), { timeout: 15_000 }).toBe('Version 1 · Finalized');
    await page.locator('.slds-notify_toast', { hasText: 'Action plan finalized' }).waitFor();
    expect(await page.getByRole('button', { name: 'Finalize Action Plan' }).count()).toBe(0);
    for (const status of await aiStatuses()) expect(['Queued', 'Running', 'Done', 'Failed']).toContain(status);

    // Saved in the service, not just on screen.
    const { execution } = await (await fetch(`${service.url}/api/workflows/executions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_KEY}`, 'X-Salesforce-User-Id': CSM, 'content-type': 'application/json' },
      body: JSON.stringify({ opportunityId: OPPORTUNITY }),
    })).json();
    const { plan } = await api(`/api/workflows/executions/${execution.id}/action-plan`);
    expect(plan.status).toBe('finalized');
    expect(plan.csmTasks.map((task: { action: string }) => task.action)).toContain('Call Eric Estrada this week');

    // While AI tasks are queued or running, the component re-reads the plan.
    if ((await aiStatuses()).some((status) => status === 'Queued' || status === 'Running')) {
      expect(await page.locator('[data-id="live"]').isVisible()).toBe(true);
      const poll = await page.waitForResponse((r) => r.url().endsWith('/action-plan') && r.request().method() === 'GET', { timeout: 15_000 });
      expect(poll.status()).toBe(200);
    }

    // The executor runs with the service (woken by LISTEN/NOTIFY): every AI task runs and shows as Done.
    const count = (await aiStatuses()).length;
    await expect.poll(() => aiStatuses(), { timeout: 30_000 }).toEqual(Array(count).fill('Done'));
  }, 60_000);

  it('saves a ticked sub-task across a reload', async () => {
    const subTask = page.locator('c-action-plan-csm-tasks [data-id="sub-task"]').first();
    const box = subTask.locator('input[type="checkbox"]');
    await expect.poll(() => box.isEnabled()).toBe(true);
    expect(await box.isChecked()).toBe(false);
    const saved = page.waitForResponse((r) => r.url().includes('/api/workflows/tasks/') && r.request().method() === 'PATCH');
    await subTask.locator('label').click();
    expect((await saved).status()).toBe(200);
    expect(await box.isChecked()).toBe(true);

    await page.reload();
    const reloaded = page.locator('c-action-plan-csm-tasks [data-id="sub-task"] input[type="checkbox"]').first();
    await expect.poll(() => reloaded.isChecked(), { timeout: 15_000 }).toBe(true);

    mkdirSync(join(PREVIEW_DIST, 'screenshots'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  }, 60_000);
});
