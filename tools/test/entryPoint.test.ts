import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { entryPoint } from '../bench/support';

describe('entryPoint: where a built checkout keeps the host and the bridge', () => {
  let root: string;
  const touch = (relative: string) => {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), '');
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'petzi-entry-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("is dist/<part>/src/main.js in this tree's layout", () => {
    touch('dist/host/src/main.js');
    touch('dist/bridge/src/main.js');
    expect(entryPoint(root, 'host')).toBe(path.join(root, 'dist/host/src/main.js'));
    expect(entryPoint(root, 'bridge')).toBe(path.join(root, 'dist/bridge/src/main.js'));
  });

  it('is dist/infra/src/<part>/main.js in a checkout from before the reorganisation', () => {
    touch('dist/infra/src/host/main.js');
    touch('dist/infra/src/bridge/main.js');
    expect(entryPoint(root, 'host')).toBe(path.join(root, 'dist/infra/src/host/main.js'));
    expect(entryPoint(root, 'bridge')).toBe(path.join(root, 'dist/infra/src/bridge/main.js'));
  });

  it("names this layout's path when neither is built, so that the start fails on the path a reader expects", () => {
    expect(entryPoint(root, 'host')).toBe(path.join(root, 'dist/host/src/main.js'));
  });

  it("is this tree's own layout for the tree itself (root ''), whatever an old build left in dist/infra", () => {
    expect(entryPoint('', 'bridge')).toBe(path.join('dist', 'bridge', 'src', 'main.js'));
  });
});
