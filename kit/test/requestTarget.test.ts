import { BadRequestTarget, parseRequestTarget } from '../src/requestTarget';

describe('parseRequestTarget', () => {
  it('splits path and query and decodes the segments', () => {
    const target = parseRequestTarget('/api/tickets/A%20B%C3%A9?limit=5&x=%E2%9C%93');
    expect(target.pathname).toBe('/api/tickets/A%20B%C3%A9');
    expect(target.search).toBe('?limit=5&x=%E2%9C%93');
    expect(target.segments).toEqual(['api', 'tickets', 'A Bé']);
    expect(target.query.get('x')).toBe('✓');
  });

  it('accepts the root, one trailing slash, and drops a fragment', () => {
    expect(parseRequestTarget('/').segments).toEqual([]);
    expect(parseRequestTarget(undefined).segments).toEqual([]);
    expect(parseRequestTarget('/api/tickets/').segments).toEqual(['api', 'tickets']);
    expect(parseRequestTarget('/events#x?y').search).toBe('');
  });

  it.each([
    ['%ZZ', '/api/tickets/%ZZ'],
    ['a truncated escape', '/api/tickets/%E'],
    ['a lone surrogate', '/api/tickets/%ED%A0%80'],
    ['an overlong UTF-8 sequence', '/api/tickets/%C0%AE'],
    ['NUL', '/api/tickets/%00'],
    ['a control character', '/api/tickets/a%0Ab'],
    ['..', '/api/../metrics'],
    ['encoded ..', '/api/%2e%2E/metrics'],
    ['.', '/api/./stats'],
    ['an encoded slash', '/api/tickets/a%2Fb'],
    ['an encoded backslash', '/api/tickets/a%5cb'],
    ['a backslash', '/api\\metrics'],
    ['an empty segment', '//metrics'],
    ['an empty inner segment', '/api//stats'],
    ['two trailing slashes', '/api/stats//'],
    ['an absolute URL', 'http://127.0.0.1:5000/metrics'],
    ['an authority', '127.0.0.1:5000'],
    ['an asterisk', '*'],
    ['NUL in the query', '/api/tickets?before=%00'],
  ])('refuses %s (%s)', (_name, target) => {
    expect(() => parseRequestTarget(target)).toThrow(BadRequestTarget);
  });
});
