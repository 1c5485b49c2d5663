import { salesRangeQuery } from '../src/read-api/stats';
import { QueryParamError } from '../src/http/query';

const read = (search: string) => salesRangeQuery(new URLSearchParams(search));
const range = 'from=2026-11-30T00:00:00Z&to=2026-12-01T00:00:00Z';

function refusedParam(search: string): string | 'accepted' {
  try {
    read(search);
  } catch (error) {
    if (error instanceof QueryParamError) return error.param;
    throw error;
  }
  return 'accepted';
}

describe('salesRangeQuery (GET /api/stats)', () => {
  it('has no range without from and to, and reads one with them', () => {
    expect(read('')).toBeUndefined();
    expect(read(`${range}&bucket=day&zone=UTC`)).toEqual({
      from: new Date('2026-11-30T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
      bucket: 'day',
      zone: 'UTC',
    });
    expect(read(range)).toMatchObject({ bucket: 'hour', zone: 'Europe/Zurich' });
  });

  it('gives Postgres the canonical spelling of a zone name', () => {
    expect(read(`${range}&zone=europe/zurich`)?.zone).toBe('Europe/Zurich');
    expect(read(`${range}&zone=US/Pacific-New`)?.zone).toBe('America/Los_Angeles');
    expect(read(`${range}&zone=Etc/GMT%2B5`)?.zone).toBe('Etc/GMT+5');
  });

  it.each([
    // Offsets and POSIX strings: Postgres reads their sign the other way round from ICU.
    ['+01:00', 'zone'],
    ['-0530', 'zone'],
    ['UTC+1', 'zone'],
    ['GMT+5', 'zone'],
    ['Mars/Olympus', 'zone'],
    ['Factory', 'zone'],
    ['posix/Europe/Zurich', 'zone'],
    ['Europe/Zurich%00', 'zone'],
  ])('refuses the zone %j', (zone, param) => {
    expect(refusedParam(`${range}&zone=${zone}`)).toBe(param);
  });

  it.each([
    ['from=2026-02-30T00:00:00Z&to=2026-03-01T00:00:00Z', 'from'],
    ['from=2026-02-01T00:00:00Z&to=2026-02-30T00:00:00Z', 'to'],
    [`${range}&bucket=week`, 'bucket'],
    [`${range}&bucket=hour&bucket=day`, 'bucket'],
    [`${range}&from=2026-11-30T00:00:00Z`, 'from'],
    ['from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z&bucket=day', 'bucket'],
    ['zone=UTC', 'zone'],
    ['bucket=day', 'bucket'],
  ])('refuses ?%s naming %s', (search, param) => {
    expect(refusedParam(search)).toBe(param);
  });
});
