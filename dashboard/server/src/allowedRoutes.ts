/**
 * Everything the dashboard server passes on, and nothing else: the routes the dashboard app
 * calls. Each later dashboard feature adds its own routes here; any other path under /api is a
 * 404 here, so /metrics, /webhook and every route the app does not need stay unreachable through
 * the dashboard, whatever the path spelling (paths are normalised before they are matched).
 */
export const DASHBOARD_ROUTES = [
  { path: '/api/tickets', upstream: 'functions' },
  { path: '/api/tickets/{number}', upstream: 'functions' },
  { path: '/api/stats', upstream: 'functions' },
  { path: '/events', upstream: 'bridge' },
] as const;

export type DashboardRoute = (typeof DASHBOARD_ROUTES)[number];

/** Methods the app uses on these routes. */
export const DASHBOARD_METHODS = ['GET', 'HEAD'];

/** The route whose template matches these decoded path segments (`{name}` matches one segment). */
export function allowedRoute(segments: string[]): DashboardRoute | undefined {
  return DASHBOARD_ROUTES.find((route) => {
    const template = route.path.slice(1).split('/');
    return template.length === segments.length && template.every((part, i) => (part.startsWith('{') && part.endsWith('}')) || part === segments[i]);
  });
}
