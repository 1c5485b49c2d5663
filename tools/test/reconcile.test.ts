import { reconcile } from '../faults/reconcile';

describe('reconcile', () => {
  const replies = [
    { sentAt: 1, status: 200, id: 1, bodySha256: 'a' },
    { sentAt: 2, status: 200, id: 2, bodySha256: 'b' },
    { sentAt: 3, status: 200, id: 2, duplicate: true, bodySha256: 'b' },
    { sentAt: 4, status: 503, bodySha256: 'd' },
    { sentAt: 5, status: 0, error: 'connect ECONNREFUSED', bodySha256: 'e' },
  ];

  it('counts nothing lost when every stage saw every acknowledged id', () => {
    const r = reconcile({
      replies,
      stored: new Set([1, 2]),
      published: [1, 2, 2],
      relayed: new Set([1, 2]),
      clients: [
        [1, 2],
        [2, 1, 1],
      ],
    });
    expect(r).toMatchObject({
      sent: 5,
      ok: 3,
      acknowledged: 2,
      stored: 2,
      published: 2,
      relayed: 2,
      deliveredToSse: 2,
      lost: 0,
      publishDuplicates: 1,
      sseDuplicatesShown: 1,
    });
    expect(r.refused).toEqual({ '503': 1, 'error: connect ECONNREFUSED': 1 });
  });

  it.each([
    ['not stored', { stored: new Set([1]) }],
    ['not published', { published: [1] }],
    ['not relayed', { relayed: new Set([1]) }],
    ['missed by one client', { clients: [[1, 2], [1]] }],
  ])('counts an id %s as lost', (_name, override) => {
    const r = reconcile({
      replies,
      stored: new Set([1, 2]),
      published: [1, 2],
      relayed: new Set([1, 2]),
      clients: [[1, 2]],
      ...override,
    });
    expect(r.lost).toBe(1);
    expect(r.lostIds).toEqual([2]);
  });
});
