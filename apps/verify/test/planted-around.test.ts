/** The verifier against the planted corpora (planted.test.ts): around the values, and bit streams. */
import { plantedSuite } from './planted-suite.js';

plantedSuite(['around', 'bitstream']);
