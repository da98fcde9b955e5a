# Sourced (not run) by scripts/test and .ci/run: run a stage in the background beside the others.
#
#   stage_start NAME COMMAND [ARGS...]   start it; its output goes to $stage_logs/NAME.log, not the terminal
#   stage_wait NAME                      wait for it; if it failed, print its log (each line prefixed with
#                                        [NAME]) and exit with its status, so a failure in any stage fails
#                                        the run
#
# A run that ends early (a foreground stage failed, or it was interrupted) stops the stages still in the
# background: each runs in a process group of its own, ended with the run.
stage_logs="${ELEKTROMAIL_STAGE_LOGS:-$PWD/build/out/stage-logs}"
mkdir -p "$stage_logs"
declare -A stage_pids=()

stage_start() {
    local name="$1"
    shift
    echo "== $name: started in the background (log: $stage_logs/$name.log)"
    setsid --wait "$@" >"$stage_logs/$name.log" 2>&1 </dev/null &
    stage_pids[$name]=$!
}

stage_wait() {
    local name="$1" status=0 log="$stage_logs/$1.log"
    wait "${stage_pids[$name]}" || status=$?
    unset "stage_pids[$name]"
    if [ "$status" -ne 0 ]; then
        echo "== $name: FAILED (exit $status); its log, $log:" >&2
        sed "s/^/[$name] /" "$log" >&2
        exit "$status"
    fi
    echo "== $name: passed; the end of its log, $log:"
    tail -n 5 "$log" | sed "s/^/[$name] /"
}

_stage_stop_all() {
    local name
    for name in "${!stage_pids[@]}"; do
        echo "== $name: stopped, the run ended first (log: $stage_logs/$name.log)" >&2
        kill -- "-${stage_pids[$name]}" 2>/dev/null || true
    done
}
trap _stage_stop_all EXIT
