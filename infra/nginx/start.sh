#!/bin/sh
# Starts nginx over HTTPS when a certificate is mounted at /etc/nginx/tls (tls.crt and tls.key),
# over plain HTTP otherwise. The site configs include the snippets written here, because a
# listen directive cannot take a variable. PETZI_NGINX_PORTS lists the ports the site listens on.
set -eu
run=/etc/nginx/petzi/run
mkdir -p "$run"
if [ -s /etc/nginx/tls/tls.crt ] && [ -s /etc/nginx/tls/tls.key ]; then
  ssl=" ssl"
  printf '%s\n' 'ssl_certificate /etc/nginx/tls/tls.crt;' 'ssl_certificate_key /etc/nginx/tls/tls.key;' \
    'ssl_protocols TLSv1.2 TLSv1.3;' > "$run/tls.conf"
  # Browsers that saw HTTPS once never fall back to plain HTTP for this host.
  echo 'add_header Strict-Transport-Security "max-age=31536000" always;' > "$run/hsts.conf"
  echo "petzi nginx: HTTPS on ${PETZI_NGINX_PORTS:-8080} with /etc/nginx/tls/tls.crt, HSTS on"
else
  ssl=""
  : > "$run/tls.conf"
  : > "$run/hsts.conf"
  echo "petzi nginx: plain HTTP on ${PETZI_NGINX_PORTS:-8080} (no certificate in /etc/nginx/tls)"
fi
# The key the dashboard adds upstream (x-functions-key), from PETZI_API_KEY (the first of a
# rotation list). Written here rather than through the official image's envsubst templates: that
# entrypoint step is skipped when the command is this script, and the local/nginx stand-in has none.
# Without a key the header is still set (empty), so a key a browser sends never goes on.
# PETZI_API_KEY_FILE (a swarm or Kubernetes secret) may hold it instead.
if [ -n "${PETZI_API_KEY_FILE:-}" ]; then
  [ -r "$PETZI_API_KEY_FILE" ] || { echo "petzi nginx: PETZI_API_KEY_FILE names a missing or unreadable file" >&2; exit 64; }
  PETZI_API_KEY=$(cat "$PETZI_API_KEY_FILE")
fi
key=$(printf '%s' "${PETZI_API_KEY:-}" | cut -d, -f1 | tr -d ' ')
case "$key" in
  *[!A-Za-z0-9._~+/=-]*)
    echo "petzi nginx: PETZI_API_KEY may hold only letters, digits and . _ ~ + / = - (it goes into the nginx config)" >&2
    exit 64
    ;;
esac
printf 'proxy_set_header x-functions-key "%s";\n' "$key" > "$run/api-key.conf"
for port in ${PETZI_NGINX_PORTS:-8080}; do
  printf 'listen %s%s;\n' "$port" "$ssl" > "$run/listen-$port.conf"
done
exec nginx -g 'daemon off;'
