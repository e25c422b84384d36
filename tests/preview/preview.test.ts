/**
 * End to end in a real browser: the renewalActionPlan component, compiled with LWC OSS (npm run build:preview),
 * against the real service in embedded mode (its own PostgreSQL server, local org emulator, playbook planner), in
 * Debian's Chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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
import { shortDate } from '../../service/src/engagement/decide.ts';
import { runEngagementRules } from '../../service/src/engagement/engine.ts';
import { onDay, trackedEmail } from '../../testkit/engagement.ts';
import { startPreviewFront } from './front.ts';

const API_KEY = 'preview-e2e-key-0123456789abcdefghijklmnopqrstuv';
const OPPORTUNITY = DEMO_IDS.opportunities.acme; // the Discovery story
const CSM = DEMO_IDS.users.jordanLee;
const SCREENSHOT = join(PREVIEW_DIST, 'screenshots', 'renewal-action-plan.png');
const PHONE_SCREENSHOT = join(PREVIEW_DIST, 'screenshots', 'renewal-action-plan-420px.png');
// The top of the card once finalized and its AI tasks ran (the viewport, not the whole page): the README's picture,
// docs/card.png, is copied from it when the card changes.
const CARD_SCREENSHOT = join(PREVIEW_DIST, 'screenshots', 'renewal-action-plan-card.png');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * The one violation that is not ours: lightning-base-components' OSS overlay puts role="alertdialog" on its
 * lightning-interactive-dialog-base host without a name, around the dialog section that has one (which axe still
 * checks). In Salesforce the platform renders that container.
 */
const NOT_OURS = (v: { id: string; targets: string[] }) =>
  v.id === 'aria-dialog-name' && v.targets.every((t) => t === '[["lightning-overlay-container","lightning-interactive-dialog-base"]]');

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.x A and AA, and best practices). */
async function seriousViolations(page: Page): Promise<{ id: string; impact: string | null; help: string; targets: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => JSON.stringify(n.target)) }))
    .filter((v) => !NOT_OURS(v));
}

/** Whether an element has keyboard focus (`:focus` holds inside the components' shadow trees too). */
const hasFocus = (el: Element) => el.matches(':focus');

describe('the action plan preview in Chromium', () => {
  let dataDir: string;
  let service: RunningService;
  let front: { url: string; close(): Promise<void> } | undefined;
  let browser: Browser;
  let page: Page;
  let pageUrl: string;

  /** What the browser asked of the service: every call to an /api path, with whether it carried an assertion. */
  const browserCalls: { path: string; assertion: boolean }[] = [];
  // The test's own calls take the path the page takes: the embedded mode's server-side stand-in for Apex, which signs.
  const api = async (path: string) => {
    const response = await fetch(`${service.url}/preview-apex${path}`, {
      headers: { Authorization: `Bearer ${API_KEY}`, 'X-Salesforce-User-Id': CSM },
    });
    return response.json();
  };
  const aiStatuses = () => page.locator('c-action-plan-ai-tasks [data-id="status"]').allInnerTexts();
  /** The status a timeline step shows (data-status: pending, in_progress, done, overdue). */
  const timelineStatus = (title: string) =>
    page.locator('[data-id="timeline-step"]', { hasText: title }).first().getAttribute('data-status');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rap-preview-'));
    const env = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SERVICE_API_KEY: API_KEY } as NodeJS.ProcessEnv;
    const [, started] = await Promise.all([ensurePreviewBuilt(), startService(loadConfig(env), createLogger('silent'))]);
    service = started;
    // Once the service serves /preview/ itself, use it; until then put the built page in front of its API.
    const own = await fetch(`${service.url}/preview/`).then(
      (r) => (r.ok ? r.text() : ''),
      () => '',
    );
    let base = service.url;
    if (!own.includes('local preview')) {
      front = await startPreviewFront(PREVIEW_DIST, service.url);
      base = front.url;
    }
    pageUrl = `${base}/preview/#key=${API_KEY}&user=${CSM}&opportunity=${OPPORTUNITY}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.includes('/api/')) browserCalls.push({ path: pathname, assertion: 'x-salesforce-assertion' in request.headers() });
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await front?.close();
    await service?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens with a Start button (viewing starts nothing), starts the Discovery workflow and generates the plan', async () => {
    await page.goto(pageUrl);

    await page.getByRole('button', { name: 'Start Renewal Workflow' }).waitFor();
    expect((await api(`/api/workflows/executions?opportunityId=${OPPORTUNITY}`)).execution).toBeNull();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Start Renewal Workflow' }).click();

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

    // Words: each key decision once; only done steps under Process Completed, waiting ones apart; no "(s)".
    const decisions = await page.locator('[data-id="key-decision"]').allInnerTexts();
    expect(new Set(decisions).size).toBe(decisions.length);
    expect(decisions.filter((d) => /economic buyer/i.test(d))).toHaveLength(1);
    expect(await page.locator('[data-id="step-decision"]').count()).toBe(0);
    expect(await page.locator('c-action-plan-summary').innerText()).not.toMatch(/\(s\)/);
    expect(await page.locator('c-action-plan-csm-tasks').innerText()).not.toMatch(/stage: .*;/);

    expect(await seriousViolations(page)).toEqual([]);
  }, 60_000);

  it('calls the service only through the stand-in for Apex, which signs on the server: the browser holds no assertion', () => {
    expect(browserCalls.length).toBeGreaterThan(0);
    expect(browserCalls.filter((c) => !c.path.startsWith('/preview-apex/api/') || c.assertion)).toEqual([]);
  });

  it('saves an edited task and finalizes, then follows the AI tasks live', async () => {
    await page.getByRole('button', { name: 'Edit Tasks' }).click();
    const action = page.locator('c-action-plan-csm-tasks [data-field="action"] input').first();
    expect(await action.evaluate((input) => input === (input.getRootNode() as Document | ShadowRoot).activeElement)).toBe(true);
    await action.fill('Call Eric Estrada this week');
    await action.blur();
    await page.getByRole('button', { name: 'Done Editing' }).click();
    await page.locator('c-action-plan-csm-tasks [data-id="action"]', { hasText: 'Call Eric Estrada this week' }).waitFor();

    // Keyboard: Edit Tasks moves focus into the first field; Tab goes on to the same task's description.
    await page.getByRole('button', { name: 'Edit Tasks' }).click();
    const csmFields = page.locator('c-action-plan-csm-tasks li[data-key]').first();
    await expect.poll(() => csmFields.locator('[data-field="action"] input').evaluate(hasFocus)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await csmFields.locator('[data-field="description"] textarea').evaluate(hasFocus)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Done Editing' }).click();

    // The confirm dialog takes focus, keeps Tab inside it, counts the AI tasks that change Salesforce, and gives
    // focus back to Finalize when dismissed with Escape.
    await page.getByRole('button', { name: 'Finalize Action Plan' }).click();
    const dialog = page.locator('section[role="alertdialog"]');
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/\d+ AI tasks? will change Salesforce records/);
    await expect.poll(() => dialog.locator(':focus').count()).toBe(1);
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.locator(':focus').count()).toBe(1);
    }
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('[data-id="finalize"] button').evaluate(hasFocus)).toBe(true);

    await page.getByRole('button', { name: 'Finalize Action Plan' }).click();
    await page.getByRole('button', { name: 'OK' }).click();
    // The overlay takes its dialog down after a closing animation; on a busy machine axe could still meet its host.
    await expect.poll(() => page.locator('lightning-interactive-dialog-base').count(), { timeout: 10_000 }).toBe(0);

    await expect.poll(() => page.locator('[data-id="plan-status"]').innerText(), { timeout: 15_000 }).toBe('Version 1 · Finalized');
    await page.locator('.slds-notify_toast', { hasText: 'Action plan finalized' }).waitFor();
    expect(await page.getByRole('button', { name: 'Finalize Action Plan' }).count()).toBe(0);
    for (const status of await aiStatuses()) expect(['Queued', 'Waiting', 'Running', 'Done', 'Failed']).toContain(status);

    // Saved in the service, not just on screen.
    const { execution } = await (
      await fetch(`${service.url}/preview-apex/api/workflows/executions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'X-Salesforce-User-Id': CSM, 'content-type': 'application/json' },
        body: JSON.stringify({ opportunityId: OPPORTUNITY }),
      })
    ).json();
    const { plan } = await api(`/api/workflows/executions/${execution.id}/action-plan`);
    expect(plan.status).toBe('finalized');
    expect(plan.csmTasks.map((task: { action: string }) => task.action)).toContain('Call Eric Estrada this week');

    // While AI tasks are queued or running, the component re-reads the plan.
    if ((await aiStatuses()).some((status) => status === 'Queued' || status === 'Running')) {
      expect(await page.locator('[data-id="live"]').isVisible()).toBe(true);
      const poll = await page.waitForResponse((r) => r.url().endsWith('/action-plan') && r.request().method() === 'GET', {
        timeout: 15_000,
      });
      expect(poll.status()).toBe(200);
    }

    // The executor runs with the service (woken by LISTEN/NOTIFY): every AI task runs and shows as Done, but the one
    // that waits for a CSM task (the CFO reminder), which shows as Waiting and says what for. Tasks show their owner.
    const waiting = (task: { blockedBy: unknown[] }) => task.blockedBy.length > 0;
    expect(plan.aiTasks.filter(waiting)).toHaveLength(1);
    await expect
      .poll(() => aiStatuses(), { timeout: 30_000 })
      .toEqual(plan.aiTasks.map((task: { blockedBy: unknown[] }) => (waiting(task) ? 'Waiting' : 'Done')));
    expect(await page.locator('c-action-plan-ai-tasks [data-id="waits-for"]').allInnerTexts()).toEqual([
      'Waits for: Engage the economic buyer (CFO)',
    ]);
    expect(await page.locator('c-action-plan-csm-tasks [data-id="owner"]').allInnerTexts()).toContain(
      'Owner: Riley Park (Executive Sponsor)',
    );
    // Within 5 s of that: the AI tasks' timeline steps are done, and no warning about copying to Salesforce
    // (their results were copied as they ran, not on the minute's sweep).
    const aiKeys = new Set(
      plan.aiTasks.filter((task: { blockedBy: unknown[] }) => !waiting(task)).map((task: { key: string }) => task.key),
    );
    const aiSteps = plan.timeline.filter((step: { taskKeys: string[] }) => step.taskKeys.some((key) => aiKeys.has(key)));
    expect(aiSteps.length).toBeGreaterThan(0);
    await expect
      .poll(() => Promise.all(aiSteps.map((step: { title: string }) => timelineStatus(step.title))), { timeout: 5_000 })
      .toEqual(aiSteps.map(() => 'done'));
    await expect.poll(() => page.locator('[data-id="mirror"]').count(), { timeout: 5_000 }).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    mkdirSync(join(PREVIEW_DIST, 'screenshots'), { recursive: true });
    await page.screenshot({ path: CARD_SCREENSHOT });
  }, 60_000);

  it("shows a meeting task's three slots and books the one picked", async () => {
    const picker = page.locator('c-action-plan-meeting-slots').first();
    await picker.locator('[data-id="find"] button').click();
    await expect.poll(() => picker.locator('[data-id="slot"]').count(), { timeout: 15_000 }).toBe(3);
    for (const text of await picker.locator('[data-id="slot"]').allInnerTexts())
      expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} \(America\/New_York\)$/);
    const booked = page.waitForResponse((r) => /\/api\/workflows\/tasks\/[^/]+\/meeting$/.test(r.url()) && r.request().method() === 'POST');
    await picker.locator('[data-id="pick"] button').nth(1).click();
    expect((await booked).status()).toBe(202);
    await expect.poll(() => picker.locator('[data-id="booked"]').count(), { timeout: 5_000 }).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
  }, 60_000);

  it('makes the calendar feed URL in the card, and the URL serves the feed', async () => {
    const feed = page.locator('c-action-plan-calendar-feed');
    await feed.locator('[data-id="subscribe"] button').click();
    const input = feed.locator('[data-id="url"] input');
    await expect.poll(() => input.count(), { timeout: 5_000 }).toBe(1);
    const url = new URL(await input.inputValue());
    expect(url.pathname).toMatch(/^\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const served = await fetch(`${service.url}${url.pathname}`);
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('BEGIN:VEVENT');
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

  it('completes a CSM task and sees its timeline step done', async () => {
    const { execution } = await (
      await fetch(`${service.url}/preview-apex/api/workflows/executions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'X-Salesforce-User-Id': CSM, 'content-type': 'application/json' },
        body: JSON.stringify({ opportunityId: OPPORTUNITY }),
      })
    ).json();
    const { plan } = await api(`/api/workflows/executions/${execution.id}/action-plan`);
    // The CFO task, which the CFO reminder waits for: done, it unblocks the reminder, which then runs.
    const task = plan.csmTasks.find((t: { action: string }) => t.action === 'Engage the economic buyer (CFO)');
    expect(task.status).toBe('pending');
    const step = plan.timeline.find((s: { taskKeys: string[] }) => s.taskKeys.includes(task.key));
    expect(await timelineStatus(step.title)).not.toBe('done');

    const row = page.locator(`c-action-plan-csm-tasks li[data-key="${task.key}"]`);
    // Its sub-tasks first, as a CSM does: a task completed over open sub-tasks would read "Completed" above unticked
    // boxes.
    const subTasks = row.locator('[data-id="sub-task"]');
    expect(await subTasks.count()).toBeGreaterThan(0);
    for (const subTask of await subTasks.all()) {
      if (await subTask.locator('input[type="checkbox"]').isChecked()) continue;
      const ticked = page.waitForResponse((r) => r.url().includes('/api/workflows/tasks/') && r.request().method() === 'PATCH');
      await subTask.locator('label').click();
      expect((await ticked).status()).toBe(200);
    }
    const saved = page.waitForResponse((r) => r.url().includes(`/api/workflows/tasks/${task.taskId}`) && r.request().method() === 'PATCH');
    await row.locator('[data-id="complete"] label').click();
    expect((await saved).status()).toBe(200);
    await expect.poll(() => timelineStatus(step.title), { timeout: 5_000 }).toBe('done');
    expect(await row.locator('[data-id="status"]').innerText()).toBe('Completed');
    await expect.poll(() => aiStatuses(), { timeout: 30_000 }).toEqual(plan.aiTasks.map(() => 'Done'));
    expect(await page.locator('c-action-plan-ai-tasks [data-id="waits-for"]').count()).toBe(0);
  }, 60_000);

  it('shows the follow-up an unopened email brought, with why, three business days later', async () => {
    const { execution } = await (
      await fetch(`${service.url}/preview-apex/api/workflows/executions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${API_KEY}`, 'X-Salesforce-User-Id': CSM, 'content-type': 'application/json' },
        body: JSON.stringify({ opportunityId: OPPORTUNITY }),
      })
    ).json();
    const { plan } = await api(`/api/workflows/executions/${execution.id}/action-plan`);
    const deps = service.deps;
    await trackedEmail(
      deps,
      { ...plan, opportunityId: OPPORTUNITY, csmUserId: CSM },
      {
        provider: 'sendgrid',
        emailId: 'preview-usage-report',
        subject: 'Usage report',
        sentTo: 'eric.estrada@acmelogistics.example',
        key: 'track-usage',
      },
    );
    const sentOn = deps.today();
    const run = await runEngagementRules(onDay(deps, deps.calendar.add(sentOn, 3)));
    expect(run.fired).toBe(1);

    await page.reload();
    const explanation = page.locator('c-action-plan-added-tasks [data-id="explanation"]');
    await explanation.first().waitFor({ timeout: 15_000 });
    expect(await explanation.allInnerTexts()).toContain(
      `Why: created because the email sent on ${shortDate(sentOn)} had no open after 3 business days`,
    );
    expect(await seriousViolations(page)).toEqual([]);
  }, 60_000);

  it('lays out at 420 px (a phone), with padding inside the card, and passes axe there too', async () => {
    await page.setViewportSize({ width: 420, height: 900 });
    await page.locator('[data-id="timeline-step"]').first().waitFor();
    const padding = await page.locator('c-renewal-action-plan .card-body').evaluate((el) => {
      const style = getComputedStyle(el);
      return { left: parseFloat(style.paddingLeft), right: parseFloat(style.paddingRight) };
    });
    const layout = {
      scrollWidth: await page.evaluate(() => document.documentElement.scrollWidth),
      paddingLeft: padding.left,
      paddingRight: padding.right,
    };
    expect(layout.scrollWidth).toBeLessThanOrEqual(420);
    expect(layout.paddingLeft).toBeGreaterThanOrEqual(12);
    expect(layout.paddingRight).toBeGreaterThanOrEqual(12);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: PHONE_SCREENSHOT, fullPage: true });
  }, 60_000);
});
