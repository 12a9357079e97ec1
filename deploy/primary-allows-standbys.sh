#!/bin/sh
# Run once by the postgres image when it creates the primary's database (/docker-entrypoint-initdb.d):
# let standbys on the compose network stream the WAL as the database's owner (the image's pg_hba.conf
# admits ordinary connections only).  wal_level is replica and max_wal_senders 10 by default.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
