#!/bin/sh
# A hot standby of the compose primary ("db"): on first start, copy it with pg_basebackup -R (which
# writes standby.signal and primary_conninfo) through a replication slot of its own, so that the
# primary keeps the WAL this standby has not received; then run PostgreSQL in recovery, read-only.
# Promote it (failover) with: docker compose exec standby pg_ctl promote -D "$PGDATA"
set -e
SLOT="${STANDBY_SLOT:-standby1}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h db -U "$POSTGRES_USER" -d "$POSTGRES_DB" >/dev/null 2>&1; do sleep 1; done
  psql -h db -U "$POSTGRES_USER" -d "$POSTGRES_DB" -v ON_ERROR_STOP=1 -qc \
    "SELECT pg_create_physical_replication_slot('$SLOT') WHERE NOT EXISTS
       (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT')"
  pg_basebackup -h db -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream -S "$SLOT" -c fast
  chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
