/**
 * The verifier never depends on the engine having done its job (issue 18's acceptance). The
 * planted corpora of the text and "around the values" issues (plant_phi.py, plant_around.py,
 * plant_bitstream.py: real pydicom files) go through dcmblind with its cleaning switched off
 * (DCMBLIND_TEST_SKIP, a test-only switch), so every planted value the profile does not remove
 * reaches the output. The independent checkers (check_planted.py, check_around.py,
 * check_bitstream.py) say what leaked; dcmblind-verify must report each leak — with --source,
 * with --key, and with both — at the same file and attribute, of the same kind
 * (verify_covers.py). With the cleaning on, the same corpora must come out without a leak.
 */
import { plantedSuite } from './planted-suite.js';

// The text corpus here; around and bitstream in planted-around.test.ts (vitest runs files side by side).
plantedSuite(['text']);
