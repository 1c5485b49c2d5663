import { compileRoute } from '../src/routes';

describe('compileRoute', () => {
  it('matches literal routes without the prefix slash', () => {
    expect(compileRoute('webhook', 1).match('/webhook')).toEqual({});
    expect(compileRoute('webhook', 1).match('/webhooks')).toBeNull();
  });

  it('extracts and decodes parameters', () => {
    expect(compileRoute('api/tickets/{number}', 1).match('/api/tickets/AB%20C')).toEqual({ number: 'AB C' });
    expect(compileRoute('api/tickets/{number}', 1).match('/api/tickets')).toBeNull();
  });

  it('supports optional parameters and constraints', () => {
    const route = compileRoute('api/items/{id:int?}', 1);
    expect(route.match('/api/items/5')).toEqual({ id: '5' });
    expect(route.match('/api/items/')).toEqual({});
  });
});
