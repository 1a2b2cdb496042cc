import { crc32 } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeEntryName } from './zip-names.js';

const enc = (s: string, cp: string) => iconv.encode(s, cp);

describe('zip entry names', () => {
  it('uses UTF-8 when the entry says so, and plain ASCII as it is', () => {
    expect(decodeEntryName(Buffer.from('Weiß/IM1.dcm'))).toEqual({
      name: 'Weiß/IM1.dcm',
      legacy: false,
    });
    expect(decodeEntryName(Buffer.from('DICOM/FILE0001'))).toEqual({
      name: 'DICOM/FILE0001',
      legacy: false,
    });
  });

  it('reads Shift-JIS, GBK and EUC-KR names back to their script, marked legacy', () => {
    const sjis = enc('山田太郎/DICOM/FILE0001.dcm', 'shift_jis');
    // What a CP437 reader makes of it: nothing like the name.
    expect(iconv.decode(sjis, 'cp437')).not.toContain('山田');
    expect(decodeEntryName(sjis)).toEqual({ name: '山田太郎/DICOM/FILE0001.dcm', legacy: true });
    expect(decodeEntryName(enc('张伟/1.dcm', 'gbk')).name).toBe('张伟/1.dcm');
    expect(decodeEntryName(enc('김민준/1.dcm', 'euc-kr')).name).toBe('김민준/1.dcm');
  });

  it('tells DOS CP437 from Windows CP1252 for accented Latin names', () => {
    expect(decodeEntryName(enc('Müller/IM1', 'cp437'))).toEqual({ name: 'Müller/IM1', legacy: true });
    expect(decodeEntryName(enc('Müller/IM1', 'win1252'))).toEqual({ name: 'Müller/IM1', legacy: true });
  });

  it("a name flagged UTF-8 that is not (a tool's own code page) is a guess like any other", () => {
    expect(decodeEntryName(enc('Müller/IM1', 'win1252'))).toEqual({ name: 'Müller/IM1', legacy: true });
  });

  it('takes valid UTF-8 without the flag as UTF-8', () => {
    expect(decodeEntryName(Buffer.from('Jürgen/IM1'))).toEqual({ name: 'Jürgen/IM1', legacy: false });
  });

  it('uses an Info-ZIP Unicode Path field only when it was written for this name', () => {
    const raw = enc('Müller/IM1', 'cp437');
    const field = (crc: number) => {
      const data = Buffer.alloc(5);
      data[0] = 1;
      data.writeUInt32LE(crc, 1);
      return [{ id: 0x7075, data: Buffer.concat([data, Buffer.from('Müller/IM1')]) }];
    };
    expect(decodeEntryName(raw, field(crc32(raw)))).toEqual({ name: 'Müller/IM1', legacy: false });
    expect(decodeEntryName(raw, field(crc32(raw) ^ 1)).legacy).toBe(true);
  });
});
