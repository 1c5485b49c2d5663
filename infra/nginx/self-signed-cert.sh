#!/bin/sh
# A self-signed certificate for local HTTPS: writes <dir>/tls.crt and <dir>/tls.key for
# localhost and 127.0.0.1 (plus any names given), to use as PETZI_TLS_DIR. Browsers warn about
# it; for a real host, put the CA-issued certificate and key in PETZI_TLS_DIR under the same names.
#   sh infra/nginx/self-signed-cert.sh .data/tls [extra.host.name ...]
set -eu
dir="${1:?usage: self-signed-cert.sh <dir> [dns-name ...]}"
shift
san="DNS:localhost,IP:127.0.0.1"
for name in "$@"; do san="$san,DNS:$name"; done
mkdir -p "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
  -addext "subjectAltName=$san" -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
# nginx's workers read the key after dropping root.
chmod 644 "$dir/tls.crt" "$dir/tls.key"
echo "wrote $dir/tls.crt and $dir/tls.key ($san); set PETZI_TLS_DIR=$dir"
