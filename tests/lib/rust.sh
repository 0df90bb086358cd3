# The Rust suite: formatting, lints and every workspace crate's tests (dev profile).
# Source it after tests/lib/common.sh and tests/lib/tools.sh.

rust_suite() {
    ensure_rust
    ensure_native_build
    check_step "rust: fmt" cargo fmt --all -- --check
    check_step "rust: clippy" cargo clippy --workspace --all-targets -- -D warnings

    local name="rust: test" start status=0 passed failed
    section "$name"
    start=$(now)
    # --no-fail-fast: a failing crate must not hide the results of the others.
    run_logged "$name" cargo test --workspace --no-fail-fast || status=$?
    read -r passed failed < <(cargo_test_counts "$(log_of "$name")")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name (exit $status, e.g. a build error)"
        failed=1
    fi
    record "$name" "$passed" "$failed" $(($(now) - start))
}
