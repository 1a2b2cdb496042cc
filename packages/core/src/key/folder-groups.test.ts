/**
 * The folder groups stand in for reading every record (run/open-output.ts folderLedger): they
 * must say exactly what the live records say, after records are superseded and removed.
 */
import { describe, expect, it } from 'vitest';
import { FileRecords } from './file-records.js';
import { dirOf } from './folder-groups.js';
import type { FileRecord } from './records.js';

function record(i: number, over: Partial<FileRecord> = {}): FileRecord {
  return {
    pseudonym: `ANON-${i % 3}`,
    sourcePath: `/data/in/site-${i % 2}/PAT${i % 5}/series-${i % 4}/IMG${i}.dcm`,
    sourceSha256: `sha${i}`,
    sourceSize: 100,
    sourceMtimeMs: 1,
    outputPath: `site-${i % 2}/ANON-${i % 3}/series-${i % 4}/IMG${i}.dcm`,
    outputSize: 100,
    outputId: `out-${i % 2}`,
    sourceStudyUID: '1.2',
    sourceSeriesUID: '1.2.3',
    sourceSOPInstanceUID: `1.2.3.${i}`,
    profile: 'basic',
    options: [],
    engineVersion: '1',
    configId: 'cfg',
    runId: `run-${i % 3}`,
    ...over,
  };
}

/** The groups as the live records say them. */
function fromRecords(files: FileRecords): string[] {
  const seen = new Set<string>();
  for (const f of files)
    seen.add(
      JSON.stringify([
        dirOf(f.sourcePath),
        dirOf(f.outputPath),
        f.pseudonym,
        f.outputId,
        f.configId,
        f.runId,
      ]),
    );
  return [...seen].sort();
}

function fromGroups(files: FileRecords): string[] | undefined {
  return files
    .folderGroups()
    ?.map((g) =>
      JSON.stringify([g.sourceFolder, g.outputFolder, g.pseudonym, g.outputId, g.configId, g.runId]),
    )
    .sort();
}

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

describe('folder groups', () => {
  it('match the live records through additions, supersessions and removals', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = rng(seed);
      const files = new FileRecords();
      for (let step = 0; step < 300; step++) {
        const i = Math.floor(random() * 60);
        const r = random();
        if (r < 0.6) files.add(record(i));
        else if (r < 0.8) files.add(record(i, { sourcePath: `/zips/P ${i % 3}.zip!/DICOM/FILE${i}` }));
        else {
          const f = record(i);
          files.remove({ outputId: f.outputId as string, configId: f.configId, outputPath: f.outputPath });
        }
      }
      expect(fromGroups(files), `seed ${seed}`).toEqual(fromRecords(files));
    }
  });

  it('keep paths at the root and odd folder names apart, and outputs of records without an output id', () => {
    const files = new FileRecords();
    files.add(record(1, { sourcePath: '/x.dcm', outputPath: 'x.dcm' }));
    files.add(record(2, { sourcePath: 'y.dcm', outputPath: 'a/y.dcm' }));
    files.add(record(3, { sourcePath: '/in/"odd",\u0000name/z.dcm', outputId: undefined }));
    expect(fromGroups(files)).toEqual(fromRecords(files));
    expect(files.folderGroups()?.map((g) => g.sourceFolder)).toEqual(['/', '', '/in/"odd",\u0000name/']);
    expect(files.folderGroups()?.[2]?.outputId).toBeUndefined();
  });

  it('are given up past 32,768 groups (files one to a folder), and the records are still all there', () => {
    const files = new FileRecords();
    for (let i = 0; i < 40_000; i++)
      files.add(record(i, { sourcePath: `/in/S${i}/IMG.dcm`, outputPath: `S${i}/IMG.dcm` }));
    expect(files.folderGroups()).toBeUndefined();
    expect(files.size).toBe(40_000);
  });
});
