/**
 * `dcmblind-key lookup … | head`: once the reader closes the pipe, the rest of the output has
 * nowhere to go. It is dropped quietly (no EPIPE stack trace) and the command finishes as it
 * would have, with its own exit code (the key's audit record and any file it writes included).
 */
export function ignoreClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    throw e;
  });
}
