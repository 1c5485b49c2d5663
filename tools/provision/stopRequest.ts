/**
 * Calls `stop` once, on the first of: SIGINT, SIGTERM, SIGHUP, or the parent process going away.
 *
 * The parent watch is for npm: it forwards SIGINT and SIGTERM to its script but dies on SIGHUP
 * (and on SIGKILL) without telling it, and a process that outlives its npm keeps its services.
 * A closed terminal also turns every later write to stdout into EIO/EPIPE errors, which must
 * not crash the process halfway through stopping what it started.
 */
export function onStopRequest(stop: (reason: string) => void, parentPollMs = 500): () => void {
  let done = false;
  const fire = (reason: string) => {
    if (done) return;
    done = true;
    stop(reason);
  };
  const ignore = () => undefined;
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
    const handler = () => fire(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) fire('parent process exited');
  }, parentPollMs);
  watch.unref();
  return () => {
    clearInterval(watch);
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
