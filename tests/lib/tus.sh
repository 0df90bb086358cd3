# The tus suite: a real third-party tus client (tuspy, from PyPI) uploads a real photo to
# the server's tus endpoint in small chunks with checksums, through a server crash and a
# resume; a damaged photo is refused. The endpoint is served by the chibo-server example
# tus_dev_server (the crate's tus router with devices given by token).
# Source it after tests/lib/common.sh and tests/lib/tools.sh.

# unittest_counts LOG: prints "PASSED FAILED" from unittest's "Ran N tests" and
# "FAILED (failures=F, errors=E)" lines.
unittest_counts() {
    local log=$1 ran failed=0 line n
    ran=$(sed -nE 's/^Ran ([0-9]+) tests? in .*/\1/p' "$log" | tail -n 1)
    [ -n "$ran" ] || { echo "0 0"; return; }
    line=$(grep -E '^FAILED \(' "$log" | tail -n 1 || true)
    for n in $(grep -oE '(failures|errors)=[0-9]+' <<<"$line" | cut -d= -f2); do
        failed=$((failed + n))
    done
    echo "$((ran - failed)) $failed"
}

tus_suite() {
    local name="tus: tuspy" start status=0 passed failed
    section "$name"
    start=$(now)
    if ! ensure_tuspy; then
        note "FAILED: $name (tuspy did not install)"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    if ! run_logged "tus-build" build_workspace_targets; then
        note "FAILED: $name (cargo build of the tus dev server)"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    CHIBO_TUS_DEV_SERVER="$TARGET_DIR/debug/examples/tus_dev_server" \
        run_logged "$name" "$TUSPY_PYTHON" tests/tus/test_tuspy.py || status=$?
    read -r passed failed < <(unittest_counts "$(log_of "$name")")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name (exit $status)"
        failed=1
    fi
    record "$name" "$passed" "$failed" $(($(now) - start))
}
