/**
 * The HTML audit report as a person sees it: written by the built CLI, then opened in a real
 * headless Chromium (Debian's `chromium`; CI installs it). The rendered DOM must show the host,
 * the app row and its findings; a label value planted on an orphan resource must come out as
 * text, not markup; and the page must load nothing from outside the file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAuditCatalog } from '../support/audit-catalog.js';
import { runCli } from '../support/cli.js';
import { cleanupByLabel, requireEngine, sessionLabel } from '../support/engine.js';

const APP = 'uji-audit-h';
const ORPHAN_APP = 'uji-audit-h-<i>esc</i>&"x"';
const work = mkdtempSync(join(tmpdir(), 'ksad-audit-html-'));
const home = join(work, 'home');
const catalog = join(work, 'catalog');
const report = join(work, 'audit.html');
/** Kept after the run for a person to look at (see the test's last lines). */
const screenshot = join(tmpdir(), 'ksad-audit-report.png');

function chromiumBinary(): string {
  for (const bin of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(bin)) return bin;
  }
  throw new Error(
    'No Chromium found: install it (Debian: apt-get install -y chromium); these tests never skip.',
  );
}

/** Headless Chromium as root in a container-like box: no sandbox, no GPU, no network chatter. */
function chromium(...args: string[]): { stdout: string; stderr: string } {
  const profile = mkdtempSync(join(tmpdir(), 'ksad-chromium-'));
  try {
    const r = spawnSync(
      chromiumBinary(),
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { encoding: 'utf8', timeout: 90_000, maxBuffer: 32 * 1024 * 1024 },
    );
    if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr}`);
    return { stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

function docker(...args: string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

async function cleanup(): Promise<void> {
  await cleanupByLabel(`id.ksad.app=${APP}`);
  await cleanupByLabel(sessionLabel);
}

let dom = '';

beforeAll(async () => {
  chromiumBinary();
  await requireEngine();
  await cleanup();
  writeAuditCatalog(catalog, [{ name: APP, version: '1.0.0', port: 19210, threeServices: true }]);
  expect(
    runCli(['host', 'init', '--region', '52.04', '--allow-unsigned', '--json'], { home }).status,
  ).toBe(0);
  const deploy = runCli(['deploy', APP, '--catalog', catalog, '--json'], { home });
  expect(deploy.status, deploy.stderr).toBe(0);
  // Two findings to show: a stopped worker, and an orphan volume whose app label is markup.
  docker('stop', '-t', '2', `ksad-${APP}-worker`);
  docker(
    'volume',
    'create',
    '--label',
    'id.ksad.managed=true',
    '--label',
    'id.ksad.kind=volume',
    '--label',
    `id.ksad.app=${ORPHAN_APP}`,
    '--label',
    sessionLabel.filter,
    `ksad-${APP}-orphan`,
  );
  const audit = runCli(
    [
      'audit',
      '--catalog',
      catalog,
      '--date',
      '2026-06-01',
      '--format',
      'html',
      '--out',
      report,
      '--strict',
    ],
    { home },
  );
  expect(audit.status, audit.stderr).toBe(20);
  dom = chromium('--dump-dom', `file://${report}`).stdout;
});

afterAll(async () => {
  await cleanup();
  rmSync(work, { recursive: true, force: true });
});

describe('ksad audit --format html in a real browser', () => {
  it('is one self-contained file: no scripts, no external resources', () => {
    const html = readFileSync(report, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)="(?!#)/i);
    expect(html).toContain("default-src 'none'");
  });

  it('renders host, region, summary, the app row and its findings', () => {
    expect(dom).toContain('<h1>KSAD audit report</h1>');
    expect(dom).toMatch(/<dd id="region">52\.04 Kabupaten Sumbawa<\/dd>/);
    expect(dom).toMatch(/<dd id="as-of">2026-06-01<\/dd>/);
    expect(dom).toMatch(/<dd id="generated-at">\d{4}-\d{2}-\d{2}T[\d:.]+Z<\/dd>/);
    expect(dom).toMatch(
      new RegExp(
        `<tr class="app-row" data-app="${APP}"><td><a href="#app-${APP}">${APP}</a></td><td>1\\.0\\.0</td>`,
      ),
    );
    expect(dom).toContain(`<section class="app" id="app-${APP}" data-app="${APP}">`);
    expect(dom).toMatch(
      new RegExp(
        `<tr class="finding" data-app="${APP}" data-severity="error" data-category="drift" data-code="container-stopped">.*stopped outside ksad: container exited with code \\d+</td></tr>`,
      ),
    );
    expect(dom).toMatch(
      /<tr data-service="worker"><td>worker<\/td><td class="mono">ksad-uji-audit-h-worker<\/td><td>exited<\/td>/,
    );
    expect(dom).toContain('id="verdict"');
  });

  it('shows a hostile label value as text, never as markup', () => {
    expect(dom).toContain('uji-audit-h-&lt;i&gt;esc&lt;/i&gt;&amp;"x"');
    expect(dom).not.toContain('<i>esc</i>');
  });

  it('prints to a page a person can read', () => {
    rmSync(screenshot, { force: true });
    chromium(
      '--hide-scrollbars',
      '--window-size=1200,1400',
      `--screenshot=${screenshot}`,
      `file://${report}`,
    );
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
    const pdf = join(work, 'audit.pdf');
    chromium('--no-pdf-header-footer', `--print-to-pdf=${pdf}`, `file://${report}`);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
