import { freePorts, isPortFree } from '../provision/ports';

describe('freePorts', () => {
  it('gives that many distinct ports, every one free again once it returns', async () => {
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
    expect(await Promise.all(ports.map((port) => isPortFree(port, '127.0.0.1')))).toEqual(ports.map(() => true));
  });
});
