# Sourced by the containers' start scripts (infra/docker/functions-keys.sh, infra/rabbitmq/start.sh):
# the check every secret from .env passes before it is written into a config, a JSON file or a URL.
#   require_env NAME CHARS WHAT
# exits 64 unless $NAME is set and non-empty and holds only CHARS (a bracket-expression set, e.g.
# "A-Za-z0-9._~-"); WHAT describes the allowed characters in the message. PETZI_WHO names the caller.
require_env() {
  eval "require_env_value=\${$1:-}"
  if [ -z "$require_env_value" ]; then
    echo "${PETZI_WHO:-petzi}: set $1 in .env" >&2
    exit 64
  fi
  case "$require_env_value" in
    *[!$2]*)
      echo "${PETZI_WHO:-petzi}: $1 may hold only $3" >&2
      exit 64
      ;;
  esac
}
