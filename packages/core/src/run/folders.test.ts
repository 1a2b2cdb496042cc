/**
 * The folder ledger's verdicts must not depend on the order files arrive in, and records of
 * earlier runs (plain files and zip entries) must line up with this run's relative paths.
 */
import { describe, expect, it } from 'vitest';
import { dirOf } from '../key/folder-groups.js';
import { FolderLedger, folderFates, sourceRelOf } from './folders.js';

const P = 'ANON-AAAAAAAAAAAAAAAA';
const Q = 'ANON-BBBBBBBBBBBBBBBB';

describe('folder ledger', () => {
  it('lines up a record with its output path, zip entries included', () => {
    expect(sourceRelOf('/data/in/site-A/DOE_JANE/x.dcm', `site-A/${P}/x.dcm`)).toBe('site-A/DOE_JANE/x.dcm');
    expect(sourceRelOf('/data/zips/Doe Jane.zip!/DICOM/FILE0001', `Doe Jane/DICOM/FILE0001`)).toBe(
      'Doe Jane/DICOM/FILE0001',
    );
    expect(sourceRelOf('/x.dcm', 'a/b/x.dcm')).toBeUndefined();
  });

  it('tells kept folders from those replaced by the pseudonym; keyed labels are neither', () => {
    expect(folderFates('site-A/DOE_JANE/20240310_CT/x.dcm', `site-A/${P}/GZ8X2RN97BN6/x.dcm`, P)).toEqual({
      clear: [['site-A', 'site-A']],
      replaced: ['site-A/DOE_JANE'],
    });
    expect(folderFates('site-A/DOE_JANE/0000.dcm', 'site-A/DOE_JANE/0000.dcm', Q)).toEqual({
      clear: [
        ['site-A', 'site-A'],
        ['site-A/DOE_JANE', 'site-A/DOE_JANE'],
      ],
      replaced: [],
    });
  });

  it('reaches the same verdicts in either order', () => {
    const own = ['site-A/DOE_JANE/s/1.dcm', `site-A/${P}/L/1.dcm`, P] as const;
    const stranger = ['site-A/DOE_JANE/0000.dcm', 'site-A/DOE_JANE/0000.dcm', Q] as const;
    const first = new FolderLedger();
    first.add(...own);
    expect(first.exposes(stranger[0], stranger[1])).toBe('site-A/DOE_JANE');
    const second = new FolderLedger();
    expect(second.exposes(stranger[0], stranger[1])).toBeUndefined();
    second.add(...stranger);
    expect(second.exposed()).toEqual([]);
    second.add(...own);
    expect(second.exposed()).toEqual([['site-A/DOE_JANE', 'site-A/DOE_JANE']]);
    // The site folder itself was kept by both and replaced by none: never named.
    expect(second.exposed().some(([f]) => f === 'site-A')).toBe(false);
  });

  it('learns the same from the folders of a record (addFolder) as from the record itself', () => {
    const records: Array<[source: string, output: string, pseudonym: string]> = [
      ['/data/in/site-A/DOE_JANE/20240310_CT/1.dcm', `site-A/${P}/GZ8X2RN97BN6/1.dcm`, P],
      ['/data/in/site-A/DOE_JANE/0000.dcm', 'site-A/DOE_JANE/0000.dcm', Q],
      ['/data/zips/Doe Jane.zip!/DICOM/FILE0001', `${P}/DICOM/FILE0001`, P],
      ['/data/zips/Roe.zip!/FILE0002', 'Roe/FILE0002', Q],
      ['/x.dcm', 'x.dcm', P],
      ['/x.dcm', 'a/b/x.dcm', P],
      ['y.dcm', 'y.dcm', Q],
      ['/in/site-B/ROE_RICHARD/s/2.dcm', `site-B/${Q}-K3P9QZ/s/2.dcm`, Q],
    ];
    const byRecord = new FolderLedger();
    const byFolder = new FolderLedger();
    for (const [source, output, pseudonym] of records) {
      const rel = sourceRelOf(source, output);
      if (rel) byRecord.add(rel, output, pseudonym);
      byFolder.addFolder(dirOf(source), dirOf(output), pseudonym);
    }
    const said = (l: FolderLedger) => ({
      replaced: [...l.replacedFolders()].sort(),
      named: [...l.namedFolders()].sort(),
      exposed: l.exposed(() => true).sort(),
    });
    expect(said(byFolder)).toEqual(said(byRecord));
    expect(said(byRecord).replaced.length).toBeGreaterThan(0);
    expect(said(byRecord).exposed.length).toBeGreaterThan(0);
  });
});
