#!/usr/bin/env bash
# The compose stack's one-off init job (airflow-init): everything the other services need
# before they start, which wait for it to complete (service_completed_successfully).
# Refuses to finish, and so holds the stack back, on any error: a broken configuration
# or an unwritable store must stop a deployment, not show up at 3 a.m.
set -euo pipefail

: "${ESCUCHA_CONFIG:?ESCUCHA_CONFIG must name the configuration file}"
if [ ! -f "$ESCUCHA_CONFIG" ]; then
  echo "error: $ESCUCHA_CONFIG not found: cp escucha.example.toml config/escucha.toml, then make it the institution's" >&2
  exit 2
fi

echo "airflow: migrating the metadata database"
airflow db migrate

if [ -n "${AIRFLOW_ADMIN_USER:-}" ] && [ -n "${AIRFLOW_ADMIN_PASSWORD:-}" ]; then
  echo "airflow: admin user ${AIRFLOW_ADMIN_USER} (from the environment)"
  airflow users create --role Admin --username "$AIRFLOW_ADMIN_USER" --password "$AIRFLOW_ADMIN_PASSWORD" \
    --firstname Admin --lastname escucha --email "${AIRFLOW_ADMIN_EMAIL:-admin@localhost}" >/dev/null 2>&1 \
    || airflow users reset-password --username "$AIRFLOW_ADMIN_USER" --password "$AIRFLOW_ADMIN_PASSWORD" >/dev/null
else
  echo "error: AIRFLOW_ADMIN_USER and AIRFLOW_ADMIN_PASSWORD must be set in .env" >&2
  exit 2
fi

echo "escucha: the escalation state's database and role ([store] state_url_env), if in PostgreSQL"
escucha store init-state --admin-url-env AIRFLOW__DATABASE__SQL_ALCHEMY_CONN

echo "escucha: checking the configuration"
escucha config check "$ESCUCHA_CONFIG"
