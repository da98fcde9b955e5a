#!/usr/bin/env bash
# Run the pipeline's service:compliance job here, the way a GitLab runner runs it: start the built image
# as the service (its variables from .gitlab-ci.yml, as the image's own user with its own entrypoint and
# environment, with packaging/run-image.sh: `buildah run` on the host network), wait until its HEALTHCHECK_TCP_PORT accepts a
# connection, run the job's script against it, then stop the service with SIGTERM.
#
#   packaging/ci-service-test.sh                 # the multi-arch image packaging/image.sh built
#   ELEKTROMAIL_IMAGE=NAME packaging/ci-service-test.sh
#   packaging/ci-service-test.sh --executable dist/elektromail-linux-x86_64   # the executable, no image
#
# On the host network the service's ports move to free ones and the job's variables follow
# (packaging/service_job.py); CI_SERVICE_KEEP_PORTS=1 keeps the job's own numbers.
set -euo pipefail
cd "$(dirname "$0")/.."

executable=""
if [ "${1:-}" = "--executable" ]; then
    executable="$(realpath "${2:?--executable needs a path}")"
fi
version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' elektromail/__init__.py)"
image="${ELEKTROMAIL_IMAGE:-localhost/elektromail:$version}"
wait_seconds="${CI_SERVICE_WAIT_SECONDS:-60}"

declare -a service_env job_env
health_port="" job_script=""
eval "$(python3 packaging/service_job.py service:compliance mail)"

log="$(mktemp)"
service_pid=""

stop_service() {
    local status=$?
    if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
        # run-image.sh passes SIGTERM on to the image's entrypoint, as `docker stop` does.
        kill -TERM "$service_pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            kill -0 "$service_pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$service_pid" 2>/dev/null || true
        local service_status=0
        wait "$service_pid" 2>/dev/null || service_status=$?
        echo "service: stopped by SIGTERM, exit status $service_status: $(tail -n 1 "$log")"
    fi
    if [ "$status" -ne 0 ]; then
        echo "--- the service's output:" >&2
        cat "$log" >&2
    fi
    rm -f "$log"
    exit "$status"
}
trap stop_service EXIT

if [ -n "$executable" ]; then
    echo "service: $executable (the executable in place of the image), ${service_env[*]}"
    # `-e NAME=VALUE` pairs become NAME=VALUE for env(1).
    plain=()
    for word in "${service_env[@]}"; do
        [ "$word" = -e ] || plain+=("$word")
    done
    env -i PATH="$PATH" TMPDIR="${TMPDIR:-/tmp}" BIND_ADDR=0.0.0.0 "${plain[@]}" "$executable" >"$log" 2>&1 &
    service_pid=$!
else
    # As the runner starts a service: the image's entrypoint, user and environment, plus the variables.
    echo "service: $image, ${service_env[*]}"
    packaging/run-image.sh "$image" "${service_env[@]}" >"$log" 2>&1 &
    service_pid=$!
fi

# What the runner's wait-for-service does: a TCP connect to HEALTHCHECK_TCP_PORT, retried.
deadline=$((SECONDS + wait_seconds))
until (exec 3<>"/dev/tcp/127.0.0.1/$health_port") 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$service_pid" 2>/dev/null; then
        echo "packaging/ci-service-test.sh: the service did not open port $health_port" >&2
        exit 1
    fi
    sleep 0.25
done
echo "service: port $health_port is open; job: ${job_env[*]}"

env "${job_env[@]}" bash -euo pipefail -c "$job_script"
echo "service:compliance passed against $([ -n "$executable" ] && echo "$executable" || echo "$image")"
