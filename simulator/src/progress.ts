export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressState {
  done: number;
  unexpected: number;
  elapsedMs: number;
  /** Known when --count bounds the run. */
  total?: number;
  /** Known when --duration bounds the run. */
  durationMs?: number;
}

const BAR_WIDTH = 30;

/** The fraction complete: by count when there is one, else by time. */
export function fractionDone(state: ProgressState): number {
  const byCount = state.total !== undefined ? state.done / state.total : 0;
  const byTime = state.durationMs !== undefined ? state.elapsedMs / state.durationMs : 0;
  // With both, the run ends at whichever comes first.
  return Math.min(1, Math.max(byCount, byTime));
}

function rate(state: ProgressState): string {
  const seconds = state.elapsedMs / 1000;
  return seconds > 0 ? `${(state.done / seconds).toFixed(1)} req/s` : '- req/s';
}

function counted(state: ProgressState): string {
  return state.total !== undefined ? `${state.done}/${state.total}` : `${state.done}`;
}

/** One bar line for a terminal, e.g. `[#########.....] 60% 60/100 52.1 req/s 0 unexpected`. */
export function renderBar(state: ProgressState): string {
  const fraction = fractionDone(state);
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  return `${bar} ${String(Math.floor(fraction * 100)).padStart(3)}% ${counted(state)} ${rate(state)} ${state.unexpected} unexpected`;
}

/** One plain line for logs and pipes. */
export function renderLine(state: ProgressState): string {
  const time = `${(state.elapsedMs / 1000).toFixed(1)}s`;
  return `progress: ${counted(state)} sent in ${time}, ${rate(state)}, ${state.unexpected} unexpected`;
}

export interface Progress {
  stop(): void;
}

/**
 * Redraws a bar in place on a terminal (10 times a second), or prints a plain line every
 * few seconds otherwise, so that logs are not flooded.
 */
export function startProgress(stream: OutputStream, read: () => ProgressState, plainEveryMs = 2000): Progress {
  const tty = stream.isTTY === true;
  const draw = (): void => {
    const state = read();
    if (tty) stream.write(`\r${renderBar(state)}\x1b[K`);
    else stream.write(`${renderLine(state)}\n`);
  };
  const timer = setInterval(draw, tty ? 100 : plainEveryMs);
  return {
    stop() {
      clearInterval(timer);
      if (tty) {
        draw();
        stream.write('\n');
      }
    },
  };
}
