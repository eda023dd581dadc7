#!/bin/sh
# Stand-in for Open WebUI's entrypoint: busybox httpd on ${HOST:-0.0.0.0}:${PORT:-8080}
# (Open WebUI honours HOST and PORT), serving GET /health, GET /api/config and a sign-up
# (POST /cgi-bin/signup; the real one is POST /api/v1/auths/signup). Like Open WebUI 0.12.4
# (FACTS A1-A3): /api/config carries "onboarding": true only while the volume holds no
# account; the first sign-up becomes admin; with ENABLE_SIGNUP=False later sign-ups get 403.
# Like the real server it stops promptly on SIGTERM (docker stop).
mkdir -p /app/backend/data
date > /app/backend/data/started-at
/bin/write-config
echo "Open WebUI stand-in listening on ${HOST:-0.0.0.0}:${PORT:-8080} (OLLAMA_BASE_URL=${OLLAMA_BASE_URL:-unset}, ENABLE_SIGNUP=${ENABLE_SIGNUP:-unset})"
/bin/busybox httpd -f -v -p "${HOST:-0.0.0.0}:${PORT:-8080}" -h /www &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; exit 0' TERM INT
wait "$pid"
