#!/usr/bin/env bash
# Start the machine's PostgreSQL 15 and make sure the test role exists. The tests create a
# throwaway database per run from this role and drop it afterwards. Where PostgreSQL cannot be
# started (not root, not installed) this says why and exits 0: the PostgreSQL tests then skip
# with that reason, and everything else still runs.
set -u
ROLE=milestone
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null 2>&1 \
      || { echo "start-postgres: could not install postgresql; PostgreSQL tests will skip"; exit 0; }
  else
    echo "start-postgres: PostgreSQL is not installed; PostgreSQL tests will skip"; exit 0
  fi
fi
cluster=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1" "$2}')
if [ -z "$cluster" ]; then echo "start-postgres: no cluster; PostgreSQL tests will skip"; exit 0; fi
# shellcheck disable=SC2086
pg_lsclusters --no-header | awk 'NR==1 {print $4}' | grep -q online || pg_ctlcluster $cluster start \
  || { echo "start-postgres: could not start $cluster; PostgreSQL tests will skip"; exit 0; }
runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='$ROLE'" | grep -q 1 \
  || runuser -u postgres -- psql -qc "CREATE ROLE $ROLE LOGIN SUPERUSER PASSWORD '$ROLE'"
echo "start-postgres: PostgreSQL is up; tests use postgresql+psycopg://$ROLE:***@127.0.0.1:5432"
