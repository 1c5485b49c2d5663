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

# Docker and Kubernetes secrets are files (/run/secrets/<name>): file_env NAME exports NAME from
# the file named by NAME_FILE, as the official images do (the trailing newline dropped), and unsets
# NAME_FILE so the process it starts sees one form only. Setting both is refused (which one would
# win is a guess); an unreadable or empty file is refused.
file_env() {
  eval "file_env_path=\${$1_FILE:-}"
  [ -n "$file_env_path" ] || return 0
  eval "file_env_both=\${$1:-}"
  if [ -n "$file_env_both" ]; then
    echo "${PETZI_WHO:-petzi}: set $1 or $1_FILE, not both" >&2
    exit 64
  fi
  if [ ! -r "$file_env_path" ] || [ ! -s "$file_env_path" ]; then
    echo "${PETZI_WHO:-petzi}: $1_FILE names $file_env_path, which is missing, unreadable or empty" >&2
    exit 64
  fi
  file_env_value=$(cat "$file_env_path")
  export "$1=$file_env_value"
  unset "$1_FILE"
}
