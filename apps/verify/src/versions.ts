/**
 * Dates whose true value is public: the version of a context group or template the DICOM
 * Content Mapping Resource (DCMR) publishes, the same in every file that uses it. Shifted with
 * the patient's dates, such a value gives the research offset away (true value known, shifted
 * value in the file): the tree checks report `offset-exposed` when an output's differs from its
 * source's. Local versions (a site's own extensions) are not public and may be shifted.
 */
import type { Visit } from './elements.js';

const MAPPING_RESOURCE = 0x00080105;
/** Context Group Version, Template Version. */
const VERSION_TAGS: ReadonlySet<number> = new Set([0x00080106, 0x0040db06]);

/** The item path of an element path: `A[0].B[1].ContextGroupVersion` → `A[0].B[1]`. */
const itemOf = (path: string): string => path.slice(0, Math.max(0, path.lastIndexOf('.')));

/** Collects, along one walk of a data set, the published versions it holds (path → value). */
export class PublishedVersions {
  /** Whether `note` needs an element of this tag (only then read its text). */
  static wants(tag: number): boolean {
    return tag === MAPPING_RESOURCE || VERSION_TAGS.has(tag);
  }

  readonly found: Array<[string, string]> = [];
  /** Item path → its Mapping Resource (it comes before the version: tags ascend in an item). */
  readonly #resource = new Map<string, string>();

  /** Notes one element: a mapping resource, or a version in a DCMR item. Returns whether it was a version. */
  note(v: Visit, value: string): boolean {
    if (v.el.tag === MAPPING_RESOURCE) {
      this.#resource.set(itemOf(v.path), value.trim());
      return false;
    }
    if (!VERSION_TAGS.has(v.el.tag)) return false;
    if (this.#resource.get(itemOf(v.path)) === 'DCMR') this.found.push([v.path, value.trim()]);
    return true;
  }
}
