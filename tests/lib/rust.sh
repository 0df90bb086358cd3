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
    run_logged "$name" cargo test -p chibo-server -p chibo-e2e --no-fail-fast \
        -- --include-ignored || status=$?
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
