#!/bin/sh
# Stand-in for Open WebUI's entrypoint: busybox httpd serving GET /health
# on ${HOST:-0.0.0.0}:${PORT:-8080}, as Open WebUI honours HOST and PORT.
# Like the real server it stops promptly on SIGTERM (docker stop).
mkdir -p /app/backend/data
date > /app/backend/data/started-at
echo "Open WebUI stand-in listening on ${HOST:-0.0.0.0}:${PORT:-8080} (OLLAMA_BASE_URL=${OLLAMA_BASE_URL:-unset})"
/bin/busybox httpd -f -v -p "${HOST:-0.0.0.0}:${PORT:-8080}" -h /www &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; exit 0' TERM INT
wait "$pid"
