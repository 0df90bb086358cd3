# The Rust suite: formatting, lints and every workspace crate's tests (dev profile), then
# the server's and the end-to-end tests again on PostgreSQL.
# Source it after tests/lib/common.sh, tests/lib/tools.sh and tests/lib/postgres.sh.

rust_suite() {
    ensure_rust
    ensure_native_build
    check_step "rust: fmt" cargo fmt --all -- --check
    check_step "rust: clippy" cargo clippy --workspace --all-targets -- -D warnings

    local name="rust: test" start status=0 passed failed
    section "$name"
    start=$(now)
    # --no-fail-fast: a failing crate must not hide the results of the others.
    # SQLite for the server here, whatever the caller's environment says.
    run_logged "$name" env -u CHIBO_TEST_DATABASE_URL cargo test --workspace --no-fail-fast \
        || status=$?
    read -r passed failed < <(cargo_test_counts "$(log_of "$name")")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name (exit $status, e.g. a build error)"
        failed=1
    fi
    record "$name" "$passed" "$failed" $(($(now) - start))
    # The photo crate as the phones build it (no WebP decoder: WebP refused by name).
    check_step "rust: chibo-photo without WebP" cargo test -p chibo-photo --no-default-features

    server_postgres_suite
}

# server_postgres_suite: the server's whole suite and the end-to-end tests (tests/e2e) a
# second time on PostgreSQL (a private throwaway cluster, tests/lib/postgres.sh), with the
# PostgreSQL-only tests the SQLite pass lists as ignored. No PostgreSQL is a failure,
# never a skip.
server_postgres_suite() {
    local name="rust: server and end-to-end on PostgreSQL" start status=0 passed failed
    section "$name"
    start=$(now)
    if ! ensure_postgres; then
        note "FAILED: $name: PostgreSQL could not be installed or started (see above)"
        record "$name" 0 1 $(($(now) - start))
        stop_postgres
        return
    fi
    # The S3-only tests are ignored too; they need the S3 server of tests/run s3, and the
    # several-process ones the HAProxy farm of tests/run cluster.
    run_logged "$name" run_built_tests chibo-server chibo-e2e -- --include-ignored --skip on_s3:: \
        --skip on_cluster:: \
        || status=$?
    stop_postgres
    read -r passed failed < <(cargo_test_counts "$(log_of "$name")")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name (exit $status, e.g. a build error)"
        failed=1
    fi
    if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name ran no test"
        failed=1
    fi
    record "$name" "$passed" "$failed" $(($(now) - start))
}

# run_built_tests PACKAGE... -- ARGS: runs the test binaries the workspace test build made
# for these packages, each from its package's folder as cargo test would. Asking cargo for
# `-p PACKAGE` instead would resolve features for a smaller package set and rebuild most
# dependencies a second time (twice the disk, twice the time).
run_built_tests() {
    local packages=() status=0 exe dir
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do packages+=("$1"); shift; done
    [ "${1:-}" = "--" ] && shift
    local listing
    listing=$(cargo test --workspace --no-run --message-format=json 2>/dev/null \
        | python3 "$ROOT/tests/lib/test_binaries.py" "${packages[@]}") || return 1
    [ -n "$listing" ] || { echo "no test binaries found for ${packages[*]}" >&2; return 1; }
    while IFS=$'\t' read -r dir exe; do
        echo "     Running $exe"
        (cd "$dir" && "$exe" "$@") || status=$?
    done <<<"$listing"
    return "$status"
}
