#!/usr/bin/env bash
# Starts the local PostgreSQL 15 cluster the store tests run against, and
# prints its connection URI (the only thing written to stdout):
#
#   export TESSERA_TEST_POSTGRES_URI=$(scripts/start-postgres.sh)
#
# Idempotent: installs Debian's postgresql package if missing, makes the
# cluster listen on 127.0.0.1 only, starts it if it is down, and creates the
# role and database if they do not exist. Uses sudo when not root.
# Overridable: TESSERA_PG_ROLE, TESSERA_PG_PASSWORD, TESSERA_PG_DB.
set -euo pipefail

version=15
cluster=main
role=${TESSERA_PG_ROLE:-tessera}
password=${TESSERA_PG_PASSWORD:-tessera}
database=${TESSERA_PG_DB:-tessera_test}

exec 3>&1 1>&2  # progress to stderr; the URI goes to fd 3

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

# Two test runs starting at once must not race each other here.
exec 9>/tmp/tessera-start-postgres.lock
flock 9

status=$(dpkg-query -W -f='${Status}' postgresql 2>/dev/null || true)
if [[ "$status" != "install ok installed" ]]; then
  echo "start-postgres: installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends postgresql
fi

if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" \
    '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
  echo "start-postgres: creating cluster $version/$cluster"
  $sudo pg_createcluster "$version" "$cluster"
fi

# Loopback only, whatever the packaged default says.
conf="/etc/postgresql/$version/$cluster/conf.d/tessera-loopback.conf"
wanted="listen_addresses = '127.0.0.1'"
changed=0
if [[ "$($sudo cat "$conf" 2>/dev/null || true)" != "$wanted" ]]; then
  echo "$wanted" | $sudo tee "$conf" >/dev/null
  changed=1
fi

port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" \
  '$1 == v && $2 == c { print $3 }')
running=0
if pg_lsclusters -h | awk -v v="$version" -v c="$cluster" \
    '$1 == v && $2 == c && $4 ~ /^online/ { found = 1 } END { exit !found }'; then
  running=1
fi
if ((running == 0)); then
  echo "start-postgres: starting cluster $version/$cluster on 127.0.0.1:$port"
  # The server must not inherit the lock or the caller's stdout (fd 3):
  # `$(scripts/start-postgres.sh)` would wait for it to exit.
  $sudo pg_ctlcluster "$version" "$cluster" start 3>&- 9>&-
elif ((changed == 1)); then
  echo "start-postgres: restarting cluster $version/$cluster (listen address)"
  $sudo pg_ctlcluster "$version" "$cluster" restart 3>&- 9>&-
fi

for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.5
done
pg_isready -h 127.0.0.1 -p "$port"

# Role and database, created once; the password is (re)set every time so a
# changed TESSERA_PG_PASSWORD takes effect.
as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres \
  -v role="$role" -v password="$password" -v database="$database" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
SQL

echo "postgresql://$role:$password@127.0.0.1:$port/$database" >&3
