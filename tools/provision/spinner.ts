const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * One line that says what is going on while `work` runs: animated in a terminal, printed once
 * (then once more with the outcome) when the output is a log file or a pipe.
 */
export async function withSpinner<T>(
  line: string,
  work: () => Promise<T>,
  out: NodeJS.WriteStream = process.stdout,
): Promise<T> {
  const started = Date.now();
  const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
  let frame = 0;
  const timer = out.isTTY
    ? setInterval(() => out.write(`\r${FRAMES[(frame += 1) % FRAMES.length]} ${line} (${seconds()})`), 120)
    : undefined;
  if (!timer) out.write(`${line}…\n`);
  try {
    const result = await work();
    if (timer) out.write(`\r✓ ${line} (${seconds()})\n`);
    else out.write(`${line}: done in ${seconds()}\n`);
    return result;
  } catch (error) {
    if (timer) out.write(`\r✗ ${line} (${seconds()})\n`);
    throw error;
  } finally {
    if (timer) clearInterval(timer);
  }
}
