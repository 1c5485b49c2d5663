/**
 * Everything the dashboard server passes on, and nothing else: the routes the dashboard app
 * calls. Each later dashboard feature adds its own routes here; any other path under /api is a
 * 404 here, so /metrics, /webhook and every route the app does not need stay unreachable through
 * the dashboard, whatever the path spelling (paths are normalised before they are matched).
 *
 * `key` is the key the server adds upstream: the function key on the read routes, the admin key
 * (PETZI_ADMIN_KEY) only on the one state-changing route the app has, the redrive of dead letters.
 */
const READ = ['GET', 'HEAD'] as const;

export const DASHBOARD_ROUTES = [
  { path: '/api/tickets', upstream: 'functions', methods: READ, key: 'function' },
  { path: '/api/tickets/{number}', upstream: 'functions', methods: READ, key: 'function' },
  { path: '/api/stats', upstream: 'functions', methods: READ, key: 'function' },
  { path: '/api/deliveries', upstream: 'functions', methods: READ, key: 'function' },
  { path: '/api/dead-letters', upstream: 'functions', methods: READ, key: 'function' },
  { path: '/api/dead-letters/redrive', upstream: 'functions', methods: ['POST'], key: 'admin' },
  { path: '/events', upstream: 'bridge', methods: READ, key: 'function' },
] as const;

export type DashboardRoute = (typeof DASHBOARD_ROUTES)[number];

/** Methods of the server's own read-only doors (/healthz). */
export const DASHBOARD_METHODS: readonly string[] = READ;

/** The route whose template matches these decoded path segments (`{name}` matches one segment). */
export function allowedRoute(segments: string[]): DashboardRoute | undefined {
  return DASHBOARD_ROUTES.find((route) => {
    const template = route.path.slice(1).split('/');
    return (
      template.length === segments.length &&
      template.every((part, i) => (part.startsWith('{') && part.endsWith('}')) || part === segments[i])
    );
  });
}
