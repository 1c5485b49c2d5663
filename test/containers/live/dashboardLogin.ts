/**
 * Logs in to the dashboard the way its login form does (POST /login, same-origin), and returns the
 * session cookie to send as `cookie:`. Throws with the answer when the login is refused.
 */
export async function logIn(dashboardUrl: string, user: string, password: string): Promise<string> {
  const res = await fetch(`${dashboardUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: dashboardUrl },
    body: new URLSearchParams({ user, password }).toString(),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  if (res.status !== 303 || !setCookie.startsWith('petzi_session=')) {
    throw new Error(`login refused: ${res.status} ${await res.text()}`);
  }
  return setCookie.split(';')[0];
}
