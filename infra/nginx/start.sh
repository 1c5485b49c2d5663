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
for port in ${PETZI_NGINX_PORTS:-8080}; do
  printf 'listen %s%s;\n' "$port" "$ssl" > "$run/listen-$port.conf"
done
exec nginx -g 'daemon off;'
