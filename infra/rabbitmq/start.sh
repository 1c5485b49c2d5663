#!/bin/sh
# Renders the definitions RabbitMQ loads at boot with the user from the environment, then starts
# the broker. Importing definitions skips creating the default user, so the one user the other
# containers log in with must be in the file; its password is not committed anywhere: it comes
# from RABBITMQ_USER / RABBITMQ_PASSWORD (.env) and is hashed by RabbitMQ at import ("password").
# Works on the official rabbitmq:3-management image (its docker-entrypoint.sh is run when present)
# and on the local/rabbitmq stand-in (plain rabbitmq-server).
set -eu
template=/etc/rabbitmq/petzi/definitions.json
out=/etc/rabbitmq/definitions.json
PETZI_WHO="petzi rabbitmq (the broker's only user; no guest account exists)"
. "$(dirname "$0")/require-env.sh"
# The same values go into a JSON string here and into an amqp:// URL in the other containers.
for name in RABBITMQ_USER RABBITMQ_PASSWORD; do
  require_env "$name" 'A-Za-z0-9._~-' 'letters, digits and . _ ~ - (it is part of an amqp:// URL)'
done
user="{\"name\": \"$RABBITMQ_USER\", \"password\": \"$RABBITMQ_PASSWORD\", \"tags\": [\"administrator\"]}"
permission="{\"user\": \"$RABBITMQ_USER\", \"vhost\": \"/\", \"configure\": \".*\", \"write\": \".*\", \"read\": \".*\"}"
umask 077
sed -e "s|\"users\": \[\]|\"users\": [$user]|" -e "s|\"permissions\": \[\]|\"permissions\": [$permission]|" "$template" > "$out"
grep -q "\"name\": \"$RABBITMQ_USER\"" "$out" || { echo "petzi rabbitmq: $template has no empty users list to fill" >&2; exit 70; }
# The broker runs as the rabbitmq user (both images drop root before starting it).
chown rabbitmq "$out" 2>/dev/null || true
echo "petzi rabbitmq: definitions rendered with user $RABBITMQ_USER"
if command -v docker-entrypoint.sh >/dev/null 2>&1; then exec docker-entrypoint.sh rabbitmq-server; fi
exec rabbitmq-server
