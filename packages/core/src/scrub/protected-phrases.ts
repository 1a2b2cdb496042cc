/**
 * Phrases of reports that hold a surname or a word that may be someone's name, and stay whole:
 * eponyms bound to their anatomy, device or disease (`Foley catheter`, `Salter-Harris`, `pouch
 * of Douglas`, `circle of Willis`) and anatomy named by a word that is also a surname (`aortic
 * root`, `rotator cuff`, `white matter`, `head of pancreas`). A patient, physician or operator
 * called Foley, Harris, Douglas, Willis, Root, Cuff, White or Head would otherwise cut them from
 * every file of the run. A name inside such a phrase is not removed; the same name elsewhere is.
 * Compiled by the dcmblind project from radiology usage; released with it under its licence.
 */
import type { Edit } from './edit.js';
import { type Folded, originSpan } from './fold.js';

const PHRASES = [
  // eponyms: anatomy
  'pouch of douglas',
  'douglas pouch',
  'circle of willis',
  'morison pouch',
  'glisson capsule',
  'gerota fascia',
  'sylvian fissure',
  'broca area',
  'wernicke area',
  'hartmann pouch',
  'calot triangle',
  'sphincter of oddi',
  'ampulla of vater',
  'ligament of treitz',
  'cooper ligament',
  'hunter canal',
  'alcock canal',
  'guyon canal',
  'achilles tendon',
  'eustachian tube',
  'fallopian tube',
  'graafian follicle',
  'virchow node',
  'schmorl node',
  // eponyms: devices, lesions, fractures, signs, scores
  'foley catheter',
  'swan ganz',
  'hickman line',
  'hickman catheter',
  'salter harris',
  'harris lines',
  'hill sachs',
  'bankart lesion',
  'segond fracture',
  'colles fracture',
  'baker cyst',
  'bartholin cyst',
  'meckel diverticulum',
  'zenker diverticulum',
  'schatzki ring',
  'barrett esophagus',
  'barrett oesophagus',
  'kerley lines',
  'kerley b lines',
  'bochdalek hernia',
  'morgagni hernia',
  'spigelian hernia',
  'brodie abscess',
  'ewing sarcoma',
  'kaposi sarcoma',
  'wilms tumor',
  'wilms tumour',
  'pancoast tumor',
  'pancoast tumour',
  'klatskin tumor',
  'chiari malformation',
  'dandy walker',
  'budd chiari',
  'mallory weiss',
  'glasgow coma scale',
  'gleason score',
  'agatston score',
  // eponyms: diseases
  'hodgkin lymphoma',
  'crohn disease',
  'parkinson disease',
  'alzheimer disease',
  'graves disease',
  'hashimoto thyroiditis',
  'cushing syndrome',
  'addison disease',
  'paget disease',
  'perthes disease',
  'osgood schlatter',
  'wilson disease',
  'peyronie disease',
  'caroli disease',
  'scheuermann disease',
  'kienbock disease',
  // anatomy named by words that are surnames
  'aortic root',
  'nerve root',
  'rotator cuff',
  'bundle branch',
  'white matter',
  'grey matter',
  'gray matter',
  'head of pancreas',
  'head of the pancreas',
  'pancreatic head',
  'femoral head',
  'humeral head',
];

/** Words of a phrase apart by spaces or a hyphen; an eponym with its possessive ('s) too. */
const PROTECTED = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${PHRASES.map((p) =>
    p
      .split(' ')
      .map((w, i) => (i === 0 ? `${w}(?:'s|’s|s')?` : w))
      .join('[\\s\\-]+'),
  ).join('|')})(?![\\p{L}\\p{N}])`,
  'gu',
);

/** The edits, but for names inside a protected phrase of the folded text. */
export function outsideProtected(f: Folded, edits: readonly Edit[]): Edit[] {
  if (!edits.some((e) => e.kind === 'name')) return [...edits];
  const spans: Array<{ start: number; end: number }> = [];
  PROTECTED.lastIndex = 0;
  for (let m = PROTECTED.exec(f.text); m; m = PROTECTED.exec(f.text))
    spans.push(originSpan(f, m.index, m.index + m[0].length));
  if (spans.length === 0) return [...edits];
  return edits.filter((e) => e.kind !== 'name' || !spans.some((s) => e.start >= s.start && e.end <= s.end));
}
