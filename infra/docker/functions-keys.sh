#!/bin/sh
# Entrypoint of the Azure Functions image: provisions the host's own keys, then starts the host.
# With AzureWebJobsSecretStorageType=files the Functions host reads its keys from
# $FUNCTIONS_SECRETS_PATH/host.json; the same keys the local host checks go there, written from
# the environment at every start (never baked into the image):
#   masterKey            = PETZI_ADMIN_KEY (authLevel admin, and it passes function too)
#   functionKeys.default = PETZI_API_KEY   (authLevel function; one entry per key while rotating)
set -eu
: "${FUNCTIONS_SECRETS_PATH:?the image sets FUNCTIONS_SECRETS_PATH}"
PETZI_WHO="petzi functions (the Functions host checks its function keys itself)"
. "$(dirname "$0")/require-env.sh"
# Secrets mounted as files (swarm, Kubernetes): the host and its bindings read app settings from
# the environment only (RabbitMQConnection is the trigger's), so each NAME_FILE becomes NAME here.
for name in PETZI_WEBHOOK_SECRET PETZI_API_KEY PETZI_ADMIN_KEY DATABASE_URL RABBITMQ_URL RabbitMQConnection; do
  file_env "$name"
done
for name in PETZI_API_KEY PETZI_ADMIN_KEY; do
  require_env "$name" 'A-Za-z0-9._~+/=, -' 'letters, digits and . _ ~ + / = - (and commas between keys)'
done
keys=""
n=0
for key in $(printf '%s' "$PETZI_API_KEY" | tr ',' ' '); do
  # The first key keeps the name "default"; older keys of a rotation follow as default2, default3...
  n=$((n + 1))
  if [ "$n" -eq 1 ]; then keyName=default; else keyName="default$n"; fi
  keys="$keys${keys:+,}{\"name\":\"$keyName\",\"value\":\"$key\",\"encrypted\":false}"
done
admin=$(printf '%s' "$PETZI_ADMIN_KEY" | cut -d, -f1 | tr -d ' ')
mkdir -p "$FUNCTIONS_SECRETS_PATH"
umask 077
printf '{"masterKey":{"name":"master","value":"%s","encrypted":false},"functionKeys":[%s]}\n' "$admin" "$keys" > "$FUNCTIONS_SECRETS_PATH/host.json"
exec "$@"
