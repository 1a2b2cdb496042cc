/**
 * Element headers, items and fragments read off the bytes (PS3.5 §7.1 element encoding, §7.5
 * sequences and items, §A.4 encapsulated fragments): offsets and lengths only, no values.
 */
import { DcmblindError } from '../errors.js';
import { dictionaryVR } from './dictionary.js';
import { type Element, type Item, MAX_DEPTH, NeedWholeFile, UNDEFINED } from './element.js';
import { formatTag, T, type Tag } from './tag.js';
import { EXPLICIT_LE, IMPLICIT_LE, type Encoding } from './transfer-syntax.js';
import { hasLongLength, isVR, type VR } from './vr.js';

class Cursor {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16(pos: number, le: boolean): number {
    return this.view.getUint16(pos, le);
  }
  u32(pos: number, le: boolean): number {
    return this.view.getUint32(pos, le);
  }
  tag(pos: number, le: boolean): Tag {
    return ((this.u16(pos, le) << 16) | this.u16(pos + 2, le)) >>> 0;
  }
}

export function isVRBytes(bytes: Uint8Array, pos: number): boolean {
  const a = bytes[pos] ?? 0;
  const b = bytes[pos + 1] ?? 0;
  return a >= 0x41 && a <= 0x5a && b >= 0x41 && b <= 0x5a && isVR(String.fromCharCode(a, b));
}

const BULK: ReadonlySet<Tag> = new Set([T.PixelData, T.FloatPixelData, T.DoubleFloatPixelData]);

/** A whole file in memory, or the head of a longer one (head-only reads of big files). */
export class Parser {
  private readonly c: Cursor;
  /** Head-only mode: the file is longer than `bytes`. */
  /**
   * `tail`: `bytes` are the file's first `headLength` bytes followed by its bytes from `at` (the
   * end of the pixel data) to its end; the pixel data between stays in the file.
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly fileLength = bytes.length,
    readonly tail?: { readonly headLength: number; readonly at: number },
  ) {
    this.c = new Cursor(bytes);
  }
  private get partial(): boolean {
    return this.fileLength > this.bytes.length;
  }

  /** The file ends inside `what`; in head-only mode that only means the head was too short. */
  private truncated(at: number, what: string): DcmblindError {
    if (this.partial) throw new NeedWholeFile();
    return new DcmblindError(
      'E_TRUNCATED',
      `file ends inside ${what} at byte ${at}; the file is incomplete (re-export or re-copy it)`,
    );
  }

  /** Elements from `pos` until `end`, or until an item delimiter when `untilItemDelimiter`. */
  elements(
    pos: number,
    end: number,
    enc: Encoding,
    depth: number,
    untilItemDelimiter: boolean,
  ): { elements: Element[]; pos: number } {
    const out: Element[] = [];
    while (pos < end) {
      if (this.partial && pos + 16 > this.bytes.length) throw new NeedWholeFile();
      if (end - pos < 8) {
        // Trailing padding.
        if (this.bytes.subarray(pos, end).every((b) => b === 0)) return { elements: out, pos: end };
        throw this.truncated(pos, 'an element header');
      }
      const t = this.c.tag(pos, enc.littleEndian);
      if (t === T.ItemDelimitation) {
        if (!untilItemDelimiter)
          throw new DcmblindError('E_BAD_ENCODING', `unexpected item delimiter at byte ${pos}`);
        return { elements: out, pos: pos + 8 };
      }
      if (t === T.SequenceDelimitation || t === T.Item) {
        throw new DcmblindError(
          'E_BAD_ENCODING',
          `unexpected ${formatTag(t)} at byte ${pos} outside a sequence`,
        );
      }
      const el = this.element(pos, end, enc, depth);
      out.push(el);
      pos = el.end;
    }
    if (untilItemDelimiter) throw this.truncated(pos, 'an item without its delimiter');
    return { elements: out, pos };
  }

  /** Tag, VR, value length and where the value starts (PS3.5 §7.1.1–7.1.3). */
  private header(pos: number, limit: number, enc: Encoding): Header {
    const le = enc.littleEndian;
    const t = this.c.tag(pos, le);
    if (enc.explicit && isVRBytes(this.bytes, pos + 4)) {
      const vr = String.fromCharCode(this.bytes[pos + 4] as number, this.bytes[pos + 5] as number) as VR;
      if (!hasLongLength(vr)) return { t, vr, length: this.c.u16(pos + 6, le), valueStart: pos + 8 };
      if (limit - pos < 12) throw this.truncated(pos, `the header of ${formatTag(t)}`);
      return { t, vr, length: this.c.u32(pos + 8, le), valueStart: pos + 12 };
    }
    const length = this.c.u32(pos + 4, le);
    // A VR field that is not a VR: some writers emit implicit headers in explicit files.
    // Read it as implicit (4-byte length) only if that length is plausible.
    if (enc.explicit && length !== UNDEFINED && pos + 8 + length > limit) {
      throw new DcmblindError('E_BAD_ENCODING', `element ${formatTag(t)} at byte ${pos} has no valid VR`);
    }
    return { t, vr: dictionaryVR(t), length, valueStart: pos + 8 };
  }

  private checkDepth(depth: number, pos: number): void {
    if (depth >= MAX_DEPTH) {
      throw new DcmblindError('E_TOO_DEEP', `sequences nested deeper than ${MAX_DEPTH} at byte ${pos}`);
    }
  }

  element(pos: number, limit: number, enc: Encoding, depth: number): Element {
    const h = this.header(pos, limit, enc);
    return h.length === UNDEFINED
      ? this.undefinedLength(pos, limit, enc, depth, h)
      : this.definedLength(pos, limit, enc, depth, h);
  }

  /** A sequence (SQ, or UN holding one: implicit VR LE inside, PS3.5 §6.2.2), or encapsulated pixel data. */
  private undefinedLength(pos: number, limit: number, enc: Encoding, depth: number, h: Header): Element {
    const { t, vr, valueStart } = h;
    this.checkDepth(depth, pos);
    if (vr === 'SQ' || vr === 'UN' || (t !== T.PixelData && this.looksLikeItem(valueStart, limit, enc))) {
      const seq = this.items(
        valueStart,
        limit,
        vr === 'UN' ? this.insideUN(valueStart, limit) : enc,
        depth + 1,
        true,
      );
      return new ParsedElement(
        t,
        vr,
        enc,
        pos,
        valueStart,
        seq.contentEnd - valueStart,
        true,
        seq.pos,
        seq.items,
      );
    }
    const endPos = this.skipFragments(valueStart, limit, enc, t);
    return new ParsedElement(
      t,
      vr,
      enc,
      pos,
      valueStart,
      endPos - 8 - valueStart,
      true,
      endPos,
      undefined,
      true,
    );
  }

  private definedLength(pos: number, limit: number, enc: Encoding, depth: number, h: Header): Element {
    const { t, vr, length, valueStart } = h;
    const valueEnd = valueStart + length;
    // Head and tail: the pixel data stays in the file (`external`, its offsets the file's); the
    // elements after it follow at the tail's place in `bytes`.
    if (this.tail && depth === 0 && BULK.has(t) && valueEnd === this.tail.at && pos < this.tail.headLength)
      return defined(h, enc, pos, this.tail.headLength, undefined, true);
    if (valueEnd > limit) {
      throw this.truncated(
        pos,
        `the value of ${formatTag(t)} (declares ${length} bytes, ${limit - valueStart} remain)`,
      );
    }
    if (valueEnd > this.bytes.length) {
      // Head-only read: only a final top-level bulk element may stay in the file.
      if (depth === 0 && BULK.has(t) && valueEnd === this.fileLength)
        return defined(h, enc, pos, valueEnd, undefined, true);
      // Elements follow the pixel data: its end is where the file's tail is to be read from.
      throw new NeedWholeFile(
        depth === 0 && BULK.has(t) && valueEnd < this.fileLength ? valueEnd : undefined,
      );
    }
    if (vr === 'SQ') {
      this.checkDepth(depth, pos);
      return defined(h, enc, pos, valueEnd, this.items(valueStart, valueEnd, enc, depth + 1, false).items);
    }
    if (
      vr === 'UN' &&
      length > 0 &&
      dictionaryVR(t) === 'SQ' &&
      this.looksLikeItem(valueStart, valueEnd, IMPLICIT_LE)
    ) {
      // A known sequence that passed through a system which did not know it: index its items
      // so the rules reach inside; if it does not parse as items, it stays an opaque value.
      try {
        const inner = this.insideUN(valueStart, valueEnd);
        return defined(
          h,
          enc,
          pos,
          valueEnd,
          this.items(valueStart, valueEnd, inner, depth + 1, false).items,
        );
      } catch (e) {
        if (e instanceof DcmblindError && e.code === 'E_TOO_DEEP') throw e;
      }
    }
    return defined(h, enc, pos, valueEnd);
  }

  /**
   * The encoding of a UN sequence's items: implicit VR LE as PS3.5 §6.2.2 says, or explicit VR
   * LE where a converter left the items as they were (the first element of the first item has a
   * VR where an implicit one has the high half of a length).
   */
  private insideUN(valueStart: number, limit: number): Encoding {
    const first = valueStart + 8;
    if (limit - first < 8 || !isVRBytes(this.bytes, first + 4)) return IMPLICIT_LE;
    // Read explicitly, the first element must end where the item ends or another element starts.
    const vr = String.fromCharCode(this.bytes[first + 4] as number, this.bytes[first + 5] as number) as VR;
    const long = hasLongLength(vr);
    if (long && limit - first < 12) return IMPLICIT_LE;
    const next = long ? first + 12 + this.c.u32(first + 8, true) : first + 8 + this.c.u16(first + 6, true);
    const itemLength = this.c.u32(valueStart + 4, true);
    if (itemLength !== UNDEFINED && next === first + itemLength) return EXPLICIT_LE;
    if (next + 8 > limit) return IMPLICIT_LE;
    const t = this.c.tag(next, true);
    return t === T.ItemDelimitation || isVRBytes(this.bytes, next + 4) ? EXPLICIT_LE : IMPLICIT_LE;
  }

  private looksLikeItem(pos: number, limit: number, enc: Encoding): boolean {
    if (limit - pos < 8) return false;
    const t = this.c.tag(pos, enc.littleEndian);
    return t === T.Item || t === T.SequenceDelimitation;
  }

  /** The items of a sequence (PS3.5 §7.5), of defined or undefined length. */
  items(
    pos: number,
    end: number,
    enc: Encoding,
    depth: number,
    undefinedLength: boolean,
  ): { items: Item[]; pos: number; contentEnd: number } {
    const le = enc.littleEndian;
    const items: Item[] = [];
    while (pos < end) {
      if (end - pos < 8) throw this.truncated(pos, 'a sequence item header');
      const t = this.c.tag(pos, le);
      const length = this.c.u32(pos + 4, le);
      if (t === T.SequenceDelimitation) {
        if (!undefinedLength) {
          throw new DcmblindError(
            'E_BAD_ENCODING',
            `sequence delimiter inside a defined-length sequence at byte ${pos}`,
          );
        }
        return { items, pos: pos + 8, contentEnd: pos };
      }
      if (t !== T.Item) {
        throw new DcmblindError(
          'E_BAD_ENCODING',
          `expected an item (FFFE,E000) at byte ${pos}, found ${formatTag(t)}`,
        );
      }
      const item = this.item(pos, end, enc, depth, length);
      items.push(item);
      pos = item.end;
    }
    if (undefinedLength) throw this.truncated(pos, 'a sequence without its delimiter');
    return { items, pos, contentEnd: pos };
  }

  private item(start: number, end: number, enc: Encoding, depth: number, length: number): Item {
    if (length === UNDEFINED) {
      const r = this.elements(start + 8, end, enc, depth, true);
      return { enc, start, end: r.pos, undefinedLength: true, elements: r.elements };
    }
    const itemEnd = start + 8 + length;
    if (itemEnd > end) throw this.truncated(start, `an item (declares ${length} bytes)`);
    const r = this.elements(start + 8, itemEnd, enc, depth, false);
    return { enc, start, end: itemEnd, undefinedLength: false, elements: r.elements };
  }

  /** Encapsulated fragments: items of defined length up to the sequence delimiter (PS3.5 §A.4). */
  private skipFragments(pos: number, limit: number, enc: Encoding, t: Tag): number {
    const le = enc.littleEndian;
    while (pos + 8 <= limit) {
      const it = this.c.tag(pos, le);
      const len = this.c.u32(pos + 4, le);
      if (it === T.SequenceDelimitation) return pos + 8;
      if (it !== T.Item || len === UNDEFINED) {
        throw new DcmblindError('E_BAD_ENCODING', `bad fragment in ${formatTag(t)} at byte ${pos}`);
      }
      if (pos + 8 + len > limit) throw this.truncated(pos, `a fragment of ${formatTag(t)}`);
      pos += 8 + len;
    }
    throw this.truncated(pos, `the fragments of ${formatTag(t)} (no sequence delimiter)`);
  }
}

/**
 * Every element the parser makes has this one shape (all fields, in this order): the walkers
 * that read millions of them then see one hidden class, not one per combination of optional
 * fields (V8's property lookups stay monomorphic).
 */
class ParsedElement implements Element {
  constructor(
    readonly tag: Tag,
    readonly vr: VR,
    readonly enc: Encoding,
    readonly start: number,
    readonly valueStart: number,
    readonly valueLength: number,
    readonly undefinedLength: boolean,
    readonly end: number,
    readonly items: readonly Item[] | undefined = undefined,
    readonly encapsulated: true | undefined = undefined,
    readonly external: true | undefined = undefined,
  ) {}
}

/** An element of defined length, its value from the header. */
function defined(
  h: Header,
  enc: Encoding,
  start: number,
  end: number,
  items?: readonly Item[],
  external?: true,
): Element {
  return new ParsedElement(
    h.t,
    h.vr,
    enc,
    start,
    h.valueStart,
    h.length,
    false,
    end,
    items,
    undefined,
    external,
  );
}

interface Header {
  readonly t: Tag;
  readonly vr: VR;
  readonly length: number;
  readonly valueStart: number;
}
