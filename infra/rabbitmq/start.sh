#!/bin/sh
# Renders the definitions RabbitMQ loads at boot with the user from the environment, then starts
# the broker. Importing definitions skips creating the default user, so the one user the other
# containers log in with must be in the file; its password is not committed anywhere: it comes
# from RABBITMQ_USER / RABBITMQ_PASSWORD (.env) and is hashed by RabbitMQ at import ("password").
# Works on the official rabbitmq:3-management image (its docker-entrypoint.sh is run when present)
# and on the local/rabbitmq stand-in (plain rabbitmq-server).
# Each variable may come from a file instead (NAME_FILE: swarm and Kubernetes secrets). In a
# cluster (infra/swarm/stack.yml) it also installs the shared Erlang cookie, makes a node that
# boots for the first time wait for the seed node, and adds the node to every quorum queue.
set -eu
template=/etc/rabbitmq/petzi/definitions.json
out=/etc/rabbitmq/definitions.json
PETZI_WHO="petzi rabbitmq (the broker's only user; no guest account exists)"
. "$(dirname "$0")/require-env.sh"
# The same values go into a JSON string here and into an amqp:// URL in the other containers.
for name in RABBITMQ_USER RABBITMQ_PASSWORD; do
  file_env "$name"
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

# Cluster members authenticate each other with one Erlang cookie (the CLI tools too).
if [ -n "${RABBITMQ_ERLANG_COOKIE_FILE:-}" ]; then
  [ -s "$RABBITMQ_ERLANG_COOKIE_FILE" ] || { echo "petzi rabbitmq: RABBITMQ_ERLANG_COOKIE_FILE names a missing or empty file" >&2; exit 64; }
  cat "$RABBITMQ_ERLANG_COOKIE_FILE" > /var/lib/rabbitmq/.erlang.cookie
  chown rabbitmq:rabbitmq /var/lib/rabbitmq/.erlang.cookie 2>/dev/null || true
  chmod 400 /var/lib/rabbitmq/.erlang.cookie
fi
if [ -n "${PETZI_RABBITMQ_SEED:-}" ]; then
  self="rabbit@$(hostname -s)"
  # Peer discovery joins a reachable peer, and a node that finds none forms a cluster of its own:
  # a node's first boot waits for the seed so that three fresh nodes form one cluster, not three.
  # A node with data (a restart) knows its cluster already and starts at once.
  if [ "$self" != "$PETZI_RABBITMQ_SEED" ] && [ ! -d "/var/lib/rabbitmq/mnesia/$self" ]; then
    echo "petzi rabbitmq: first boot of $self, waiting for the seed $PETZI_RABBITMQ_SEED"
    seed_host=${PETZI_RABBITMQ_SEED#*@}
    tries=0
    # The seed accepts AMQP once it has booted (a TCP connect; a CLI call would cost a VM start).
    until timeout 3 bash -c "exec 3<>/dev/tcp/$seed_host/5672" 2>/dev/null; do
      tries=$((tries + 1))
      [ "$tries" -lt 200 ] || { echo "petzi rabbitmq: the seed $PETZI_RABBITMQ_SEED did not answer in 10 minutes" >&2; exit 69; }
      sleep 3
    done
  fi
  # A quorum queue's members are the nodes of the cluster when it was declared: the seed declares
  # the topology alone, so every node adds itself once it runs (a member already is left as it is).
  (
    until timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672' 2>/dev/null; do sleep 3; done
    rabbitmq-queues grow "$self" all >/dev/null 2>&1 && echo "petzi rabbitmq: $self is a member of every quorum queue"
  ) &
fi
if command -v docker-entrypoint.sh >/dev/null 2>&1; then exec docker-entrypoint.sh rabbitmq-server; fi
exec rabbitmq-server
