#!/bin/sh
# make run's last step: the development server and, beside it, a Celery worker (with beat)
# on a broker that needs no other service — kombu's SQLAlchemy transport on a SQLite file
# under var/. Long jobs (a whole area's notice texts) then leave the request at once and
# the worker sends them. The worker logs to var/celery-worker.log (the texts
# themselves go to var/sms.log, as the server's do) and is stopped when the server stops, however it stops.
set -eu

BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var
# Both processes must agree on the broker: exported before either starts.
CELERY_BROKER_URL=${CELERY_BROKER_URL:-sqla+sqlite:///var/celery-broker.sqlite3}
export CELERY_BROKER_URL
WORKER_LOG=var/celery-worker.log

# A background job of a non-interactive shell ignores Ctrl-C (SIGINT); the trap stops it.
"$BIN/celery" -A gongzhi worker --beat --schedule=var/celerybeat-schedule \
    --pool=solo --concurrency=1 --without-gossip --without-mingle --without-heartbeat \
    --loglevel=INFO >"$WORKER_LOG" 2>&1 &
WORKER=$!
stop_worker() {
    if kill -0 "$WORKER" 2>/dev/null; then
        kill -TERM "$WORKER" 2>/dev/null || true
        wait "$WORKER" 2>/dev/null || true
    fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "Celery worker (pid $WORKER) on $CELERY_BROKER_URL; its log: $WORKER_LOG; texts sent: var/sms.log"
"$BIN/python" manage.py runserver "$HOST:$PORT"
