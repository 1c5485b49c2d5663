/**
 * Nothing but this page's own inline style may load, and no other site may frame it. The referrer
 * stays same-origin rather than none: under no-referrer browsers send `Origin: null` on the form's
 * POST, which the Origin check would refuse.
 */
export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The login form the dashboard server serves itself, so the Vue app needs no login screen of its own. */
export function loginPage(message?: string): string {
  const notice = message ? `<p class="error" role="alert" data-testid="login-error">${escapeHtml(message)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PETZI dashboard: log in</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f4f5f7; display: grid; place-items: center; min-height: 100vh; margin: 0; }
  form { background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); display: grid; gap: .75rem; min-width: 18rem; }
  h1 { font-size: 1.2rem; margin: 0 0 .5rem; }
  label { display: grid; gap: .25rem; font-size: .9rem; }
  input { padding: .5rem; font-size: 1rem; }
  button { padding: .6rem; font-size: 1rem; cursor: pointer; }
  .error { color: #b00020; margin: 0; }
</style>
</head>
<body>
<form method="post" action="/login">
  <h1>PETZI dashboard</h1>
  ${notice}
  <label>User <input name="user" autocomplete="username" required autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>
</body>
</html>
`;
}
