import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FsCatalogFiles } from '../../../src/adapters/fs-catalog-files.js';
import type { SourceFile } from '../../../src/core/catalog-model.js';
import { REPO_ROOT } from '../../support/cli.js';
import {
  mutations,
  namedCases,
  resourceCases,
  unknownKeys,
  wrongTypes,
  type Expectation,
} from './corpus.js';
import { classify, runText, shownFile, type Outcome } from './entry-points.js';
import { catalogCases, fileCases, runFile, sockets } from './hostile-files.js';

/**
 * The fuzz corpus: every hostile input fed to the real readers and to the lint, overlay, import
 * and signing entry points. Each outcome is a clear error, a documented acceptance (a mutation
 * that still reads as a valid document), a crash (anything but a KsadError) or a hang (past the
 * per-case budget). The counts are printed and written to `<tmp>/ksad-fuzz-summary.json`.
 */

const CASE_MS = 10_000;

interface Row {
  id: string;
  expect: Expectation;
  outcome: Outcome;
}

const rows: Row[] = [];
let dir = '';

afterAll(async () => {
  for (const s of sockets) s.close();
  const counts = {
    clearError: 0,
    documentedAccept: 0,
    wronglyAccepted: 0,
    unclear: 0,
    crash: 0,
    hang: 0,
  };
  for (const r of rows) {
    if (r.outcome.kind === 'error') counts.clearError++;
    else if (r.outcome.kind === 'accept' && r.expect === 'either') counts.documentedAccept++;
    else if (r.outcome.kind === 'accept') counts.wronglyAccepted++;
    else counts[r.outcome.kind]++;
  }
  const summary = { cases: rows.length, ...counts };
  console.log(`fuzz corpus: ${JSON.stringify(summary)}`);
  await writeFile(
    join(tmpdir(), 'ksad-fuzz-summary.json'),
    `${JSON.stringify({ summary, rows }, null, 2)}\n`,
  );
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('hostile input', () => {
  const texts = [
    ...mutations(8),
    ...wrongTypes(),
    ...unknownKeys(),
    ...namedCases(),
    ...resourceCases(),
  ];
  const files = [...fileCases(), ...catalogCases()];
  let sample: SourceFile[] | undefined;

  it('has at least 300 cases', () => {
    expect(texts.length + files.length).toBeGreaterThanOrEqual(300);
  });

  it('gives every text input a clear error or a documented acceptance', async () => {
    sample ??= await new FsCatalogFiles(REPO_ROOT).readCatalogFiles('.');
    const bad: Row[] = [];
    for (const c of texts) {
      // A synchronous hang blocks the per-case timer; KSAD_FUZZ_TRACE=FILE names the case that hung.
      if (process.env.KSAD_FUZZ_TRACE) appendFileSync(process.env.KSAD_FUZZ_TRACE, `${c.id}\n`);
      const outcome = await classify(
        shownFile(c.target),
        () => runText(c.target, c.text, sample ?? []),
        CASE_MS,
      );
      const row = { id: c.id, expect: c.expect, outcome };
      rows.push(row);
      if (!acceptable(row)) bad.push(row);
    }
    expect(bad.map(describeRow)).toEqual([]);
  }, 300_000);

  it('gives every odd file a clear error naming it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ksad-fuzz-'));
    const bad: Row[] = [];
    for (const [i, c] of files.entries()) {
      const caseDir = join(dir, String(i));
      await mkdir(caseDir);
      const path = await c.make(caseDir);
      const outcome = await classify(path, () => runFile(c.target, path, caseDir), CASE_MS);
      const row: Row = { id: c.id, expect: c.expect ?? 'error', outcome };
      rows.push(row);
      if (!acceptable(row)) bad.push(row);
    }
    expect(bad.map(describeRow)).toEqual([]);
  }, 120_000);
});

function acceptable(row: Row): boolean {
  const { kind } = row.outcome;
  return kind === 'error' || (kind === 'accept' && row.expect === 'either');
}

function describeRow(row: Row): string {
  return `${row.id}: ${row.outcome.kind === 'accept' ? 'wrongly accepted' : row.outcome.kind} ${row.outcome.detail.slice(0, 300)}`;
}
