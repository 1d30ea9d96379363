// One chromium per actor, with a fresh profile, and a guard that fails the
// test on any page console error, uncaught page error, failed request or
// HTTP error reply the test did not announce.

import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, appendFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_URL, CHROMIUM, OUT_DIR, TMP } from './env.js';

// Without the background-networking switches chromium keeps calling home,
// which on a closed network means endless failed connections.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SHOPPER = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
export const OWNER = { viewport: { width: 1280, height: 800 } };

/**
 * Opens a browser for `name` (also the folder of its screenshots).
 * Returns {context, page, allow, shot, assertClean, close}.
 */
export async function openBrowser(name, device) {
  if (!existsSync(CHROMIUM) || !statSync(CHROMIUM).isFile()) {
    throw new Error(`chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM)`);
  }
  const profile = mkdtempSync(join(TMP, `profile-${name}-`));
  const shots = join(OUT_DIR, 'screenshots', name);
  mkdirSync(shots, { recursive: true });
  const logFile = join(OUT_DIR, `browser-${name}.log`);
  const log = (line) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);

  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    baseURL: BASE_URL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...device,
  });
  context.setDefaultTimeout(15_000);

  const problems = [];
  const allowed = []; // {status, path, method}
  const isAllowed = (status, url, method) =>
    allowed.some((a) => a.status === status && new URL(url).pathname.startsWith(a.path) && (!a.method || a.method === method));

  const watch = (page) => {
    page.on('console', (msg) => {
      log(`console.${msg.type()} ${msg.text()}`);
      if (msg.type() !== 'error') return;
      // HTTP error replies are judged below, with the test's expectations.
      if (/^Failed to load resource: the server responded with a status of \d+/.test(msg.text())) return;
      problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => {
      log(`pageerror ${err.stack ?? err}`);
      problems.push(`uncaught page error: ${err.message}`);
    });
  };
  context.on('page', watch);
  context.pages().forEach(watch);
  context.on('requestfailed', (req) => {
    const text = `${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`;
    log(`requestfailed ${text}`);
    problems.push(`failed request: ${text}`);
  });
  context.on('response', (res) => {
    const req = res.request();
    if (res.status() >= 400) {
      log(`HTTP ${res.status()} ${req.method()} ${res.url()}`);
      if (!isAllowed(res.status(), res.url(), req.method())) problems.push(`unexpected HTTP ${res.status()}: ${req.method()} ${res.url()}`);
    }
  });

  const page = context.pages()[0] ?? (await context.newPage());
  let n = 0;

  return {
    context,
    page,
    /** Announces an expected error reply: status and path prefix (and method). */
    allow(status, path, method) {
      allowed.push({ status, path, method });
    },
    /** Full-page screenshot, numbered in order. */
    async shot(step) {
      n += 1;
      const file = join(shots, `${String(n).padStart(2, '0')}-${step}.png`);
      await page.screenshot({ path: file, fullPage: true });
      log(`screenshot ${file}`);
      return file;
    },
    /** Throws if anything went wrong in the page so far; clears expectations. */
    assertClean() {
      const found = problems.splice(0);
      allowed.length = 0;
      if (found.length) throw new Error(`problems in the ${name} browser:\n  ${found.join('\n  ')}`);
    },
    async close() {
      await context.close();
    },
  };
}

/**
 * Runs `body(b)` with a browser; screenshots the page when it fails and
 * always checks the guard before closing.
 */
export async function withBrowser(name, device, body) {
  const b = await openBrowser(name, device);
  try {
    await body(b);
    b.assertClean();
  } catch (err) {
    await b.shot('failure').catch(() => {});
    throw err;
  } finally {
    await b.close();
  }
}
