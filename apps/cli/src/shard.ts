/** Which share of the inputs a sharded run takes, from the command line or a scheduler. */
import { DcmblindError } from '@dcmblind/core';

/**
 * `--shard i/n` (1-based), or `auto` / `auto/n`: the index from a scheduler — Slurm job arrays
 * (SLURM_ARRAY_TASK_ID, counted from SLURM_ARRAY_TASK_MIN; n from SLURM_ARRAY_TASK_COUNT) or
 * Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, 0-based; n from auto/n or DCMBLIND_SHARDS).
 */
export function parseShard(spec: string, env: NodeJS.ProcessEnv): { index: number; count: number } {
  const m = /^(auto|\d+)(?:\/(\d+))?$/.exec(spec.trim());
  if (!m) throw new DcmblindError('E_USAGE', '--shard: write i/n (for example 2/8), auto or auto/n');
  let index: number;
  let count = m[2] ? Number(m[2]) : Number.NaN;
  if (m[1] === 'auto') {
    if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      index = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0) + 1;
      if (Number.isNaN(count)) count = Number(env.SLURM_ARRAY_TASK_COUNT);
    } else if (env.JOB_COMPLETION_INDEX !== undefined) {
      index = Number(env.JOB_COMPLETION_INDEX) + 1;
      if (Number.isNaN(count)) count = Number(env.DCMBLIND_SHARDS);
    } else {
      throw new DcmblindError(
        'E_USAGE',
        '--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set',
      );
    }
    if (Number.isNaN(count))
      throw new DcmblindError(
        'E_USAGE',
        '--shard auto: the shard count is unknown; write auto/n or set DCMBLIND_SHARDS',
      );
  } else {
    index = Number(m[1]);
    if (!m[2]) throw new DcmblindError('E_USAGE', '--shard: write i/n (for example 2/8)');
  }
  if (
    !Number.isInteger(index) ||
    !Number.isInteger(count) ||
    count < 1 ||
    count > 100000 ||
    index < 1 ||
    index > count
  ) {
    throw new DcmblindError(
      'E_USAGE',
      `--shard: shard ${index} of ${count} does not exist (shards count from 1 to n)`,
    );
  }
  return { index, count };
}
