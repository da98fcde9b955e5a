#!/usr/bin/env bash
# Run the pipeline's service:compliance job here, the way a GitLab runner runs it: start the built image
# as the service (its variables from .gitlab-ci.yml, as the image's own user with its own entrypoint and
# environment, with `buildah run` on the host network), wait until its HEALTHCHECK_TCP_PORT accepts a
# connection, run the job's script against it, then stop the service with SIGTERM.
#
#   packaging/ci-service-test.sh                 # the image packaging/image.sh built for this machine
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
case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *) arch="$(uname -m)" ;;
esac
image="${ELEKTROMAIL_IMAGE:-elektromail:$version-$arch}"
buildah=(buildah --storage-driver "${STORAGE_DRIVER:-vfs}")
wait_seconds="${CI_SERVICE_WAIT_SECONDS:-60}"

declare -a service_env job_env
eval "$(python3 packaging/service_job.py service:compliance mail)"

log="$(mktemp)"
container=""
service_pid=""

# The process a runtime signals: the image's entrypoint, below buildah's own chroot helpers.
entrypoint_pid() {
    local pid="$1" child
    for _ in 1 2 3 4 5 6 7 8; do
        child="$(pgrep -P "$pid" | head -n 1)" || true
        [ -n "$child" ] || break
        pid="$child"
        case "$(cat "/proc/$pid/comm" 2>/dev/null)" in
            buildah* | memfd:*) ;;
            *) echo "$pid"; return ;;
        esac
    done
    echo "$1"
}

stop_service() {
    local status=$?
    if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
        if [ -n "$container" ]; then
            kill -TERM "$(entrypoint_pid "$service_pid")" 2>/dev/null || true
        else
            kill -TERM "$service_pid" 2>/dev/null || true
        fi
        for _ in $(seq 1 60); do
            kill -0 "$service_pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$service_pid" 2>/dev/null || true
        wait "$service_pid" 2>/dev/null || true
    fi
    if [ -n "$container" ]; then
        "${buildah[@]}" rm "$container" >/dev/null || true
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
    container="$("${buildah[@]}" from --pull-never "$image")"
    # The image's own user, entrypoint and command (its environment buildah applies by itself).
    read -r -a run_as < <("${buildah[@]}" inspect --type container "$container" | python3 -c '
import json, sys
config = json.load(sys.stdin)["OCIv1"]["config"]
print("--user", config["User"] or "0:0")')
    mapfile -t command < <("${buildah[@]}" inspect --type container "$container" | python3 -c '
import json, sys
config = json.load(sys.stdin)["OCIv1"]["config"]
print("\n".join([*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]))')
    echo "service: $image as ${run_as[1]}, entrypoint ${command[*]}, ${service_env[*]}"
    "${buildah[@]}" run --isolation chroot --network host "${run_as[@]}" "${service_env[@]}" \
        "$container" -- "${command[@]}" >"$log" 2>&1 &
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
