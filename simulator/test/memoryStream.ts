/** A writable the CLI can print to in tests; `isTTY` false, as when piped. */
export class MemoryStream {
  readonly isTTY = false;
  private readonly chunks: string[] = [];

  write(text: string): boolean {
    this.chunks.push(text);
    return true;
  }

  get text(): string {
    return this.chunks.join('');
  }
}

export function memoryIO(): { stdout: MemoryStream; stderr: MemoryStream } {
  return { stdout: new MemoryStream(), stderr: new MemoryStream() };
}
