import { describe, expect, it } from 'vitest';
import { renderTable, type Column } from '../../../src/ui/table.js';

interface Row {
  revision: string;
  version: string;
  description: string;
}
const columns: Column<Row>[] = [
  { header: 'REVISION', value: (r) => r.revision, align: 'right' },
  { header: 'VERSION', value: (r) => r.version },
  { header: 'DESCRIPTION', value: (r) => r.description },
];
const rows: Row[] = [
  {
    revision: '1',
    version: '1.0.0',
    description: 'Install complete: antrean-daring for Kabupaten Sumbawa, three services healthy',
  },
  { revision: '2', version: '2.0.0', description: 'Upgrade complete' },
];

describe('renderTable', () => {
  it('prints every value whole when no width is given (a pipe)', () => {
    const text = renderTable(rows, columns, undefined);
    expect(text).toContain(rows[0]!.description);
    expect(text.split('\n')).toHaveLength(4);
  });

  it('cuts the widest column to fit the terminal, each cut value ending in …', () => {
    const text = renderTable(rows, columns, 60);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(60);
    expect(lines[2]).toMatch(/^ {7}1 {2}1\.0\.0 {4}Install complete: antrean-daring.*…$/);
    // A value that fits is left whole, and the short columns keep their width.
    expect(lines[3]).toBe('       2  2.0.0    Upgrade complete');
  });

  it('never cuts a column below its header, even when the table cannot fit', () => {
    const lines = renderTable(rows, columns, 10).split('\n');
    expect(lines[0]).toBe('REVISION  VERSION  DESCRIPTION');
    expect(lines[2]).toBe('       1  1.0.0    Install co…');
  });
});
