#!/usr/bin/env bash
# Run an image the way a container runtime does, with buildah alone (no daemon): the image's own
# entrypoint, user and environment, the host's network, plus the settings given with -e.
#
#   packaging/run-image.sh [--healthcheck] IMAGE [-e NAME=VALUE]... [-- ARG...]
#
# ARGs replace the image's CMD, as with `docker run IMAGE ARG...`. --healthcheck runs the image's
# HEALTHCHECK command instead, as the runtime does inside a running container. SIGTERM or SIGINT sent to
# this script reaches the entrypoint process, as `docker stop` sends it to the container's first process
# (buildah itself would kill it); the exit status is the entrypoint's.
set -euo pipefail
export STORAGE_DRIVER="${STORAGE_DRIVER:-vfs}" BUILDAH_ISOLATION="${BUILDAH_ISOLATION:-chroot}"

mode=entrypoint
if [ "${1:-}" = "--healthcheck" ]; then
    mode=healthcheck
    shift
fi
image="${1:?usage: packaging/run-image.sh [--healthcheck] IMAGE [-e NAME=VALUE]... [-- ARG...]}"
shift
settings=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        -e) settings+=(--env "$2"); shift 2 ;;
        --) shift; break ;;
        *) break ;;
    esac
done

ctr="$(buildah from --pull-never --quiet "$image")"
child=""
cleanup() { buildah rm "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# The command the runtime would start, read from the image's configuration.
mapfile -t command < <(buildah inspect --type container "$ctr" | python3 -c '
import json, sys
mode, extra = sys.argv[1], sys.argv[2:]
config = json.load(sys.stdin)["Docker"]["config"]
if mode == "healthcheck":
    test = (config.get("Healthcheck") or {}).get("Test") or []
    if test[:1] != ["CMD"]:
        sys.exit("the image has no exec-form HEALTHCHECK")
    command = test[1:]
else:
    command = (config.get("Entrypoint") or []) + (extra or config.get("Cmd") or [])
print("\n".join(command))
' "$mode" "$@")

# The entrypoint is the first descendant of buildah's process that runs the command's program.
entrypoint_pid() {
    local name pids pid
    name="$(basename "${command[0]}" | cut -c1-15)"
    pids="$child"
    while [ -n "$pids" ]; do
        for pid in $pids; do
            if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
                echo "$pid"
                return
            fi
        done
        pids="$(for pid in $pids; do cat "/proc/$pid/task/"*/children 2>/dev/null; done)"
    done
}

forward() {
    local pid
    pid="$(entrypoint_pid)"
    if [ -n "$pid" ]; then
        kill "-$1" "$pid" 2>/dev/null || true
    fi
}
trap 'forward TERM' TERM
trap 'forward INT' INT

# From here on a failing step must not end the script while the container still runs.
set +e
buildah run --network host "${settings[@]}" "$ctr" -- "${command[@]}" &
child=$!
# wait returns early when a trapped signal arrives: wait again until the container has ended.
while :; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break
done
exit "$status"
