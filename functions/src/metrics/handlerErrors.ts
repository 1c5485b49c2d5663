import { Counter, type Registry } from 'prom-client';

/**
 * One family for every process that serves HTTP (functions host, SSE bridge, dashboard server):
 * an exception no handler expected, answered with a 500. Any increase is a bug to look at.
 */
export function createHandlerErrorCounter(registry: Registry): Counter<'handler'> {
  return new Counter({
    name: 'http_handler_errors_total',
    help: 'Unexpected exceptions in a request handler, answered with a 500, by function or route',
    labelNames: ['handler'],
    registers: [registry],
  });
}
