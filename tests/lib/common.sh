# Shared helpers for tests/run and tests/bench. Source it; do not execute it.
# Expects ROOT (the repository root) to be set by the caller.

: "${ROOT:?ROOT must be set before sourcing tests/lib/common.sh}"

# Where cargo puts its output (CI may point CARGO_TARGET_DIR elsewhere).
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac

# Tools we install ourselves live here (kept between runs; CI may cache it).
TOOLS_DIR="${CHIBO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/chibo-tools}"

# Per-run logs, parsed for test counts.
LOG_DIR="$TARGET_DIR/test-logs"
mkdir -p "$LOG_DIR"

TOTAL_PASSED=0
TOTAL_FAILED=0
STEP_SUMMARY=()

now() { date +%s; }

# section TITLE: a visible header in the (long) log.
section() { printf '\n==> %s\n' "$*"; }

# note TEXT: a short informational line.
note() { printf '    %s\n' "$*"; }

die() {
    printf 'error: %s\n' "$*" >&2
    exit 2
}

# record NAME PASSED FAILED SECONDS: add a step's counts to the totals.
record() {
    local name=$1 passed=$2 failed=$3 secs=$4
    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    STEP_SUMMARY+=("$(printf '%-22s %5d passed %4d failed %6ss' "$name" "$passed" "$failed" "$secs")")
}

# run_logged LOGNAME CMD...: run CMD with output shown and saved to $LOG_DIR/LOGNAME.log.
# Returns CMD's exit status and never aborts the script.
run_logged() {
    local log
    log=$(log_of "$1")
    shift
    printf '    $ %s\n' "$*"
    local status=0
    "$@" 2>&1 | tee "$log" || status=$?
    return "$status"
}

# check_step NAME CMD...: a check that is one test: passed if CMD succeeds.
check_step() {
    local name=$1
    shift
    section "$name"
    local start status=0
    start=$(now)
    run_logged "$name" "$@" || status=$?
    if [ "$status" -eq 0 ]; then
        record "$name" 1 0 $(($(now) - start))
    else
        note "FAILED: $name (exit $status)"
        record "$name" 0 1 $(($(now) - start))
    fi
}

# log_of NAME: the log file run_logged NAME writes.
log_of() { echo "$LOG_DIR/${1//[^A-Za-z0-9_.-]/-}.log"; }

# cargo_test_counts LOG: prints "PASSED FAILED" summed over cargo's "test result:" lines.
cargo_test_counts() {
    local passed=0 failed=0 p f
    while read -r p f; do
        passed=$((passed + p))
        failed=$((failed + f))
    done < <(sed -nE 's/.*test result: [A-Za-z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' "$1")
    echo "$passed $failed"
}

# junit_counts LOG: prints "PASSED FAILED" from JUnitCore's summary
# ("OK (N tests)" or "Tests run: N,  Failures: M").
junit_counts() {
    local log=$1 line run fails
    line=$(grep -E '^OK \([0-9]+ tests?\)' "$log" | tail -n 1 || true)
    if [ -n "$line" ]; then
        run=$(sed -E 's/^OK \(([0-9]+) tests?\).*/\1/' <<<"$line")
        echo "$run 0"
        return
    fi
    line=$(grep -E '^Tests run: [0-9]+, +Failures: [0-9]+' "$log" | tail -n 1 || true)
    if [ -n "$line" ]; then
        run=$(sed -E 's/^Tests run: ([0-9]+),.*/\1/' <<<"$line")
        fails=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
        echo "$((run - fails)) $fails"
        return
    fi
    echo "0 0"
}

# print_summary: the per-step table, then the totals as the very last line.
print_summary() {
    section "Summary"
    local s
    for s in "${STEP_SUMMARY[@]}"; do
        note "$s"
    done
    printf '%d passed, %d failed\n' "$TOTAL_PASSED" "$TOTAL_FAILED"
}
