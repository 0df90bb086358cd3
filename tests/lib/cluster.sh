# The multi-process suite: three real chibo-server processes on loopback on one throwaway
# PostgreSQL (tests/lib/postgres.sh) and one S3 bucket (tests/lib/s3.sh's versitygw),
# behind Debian's HAProxy started from the repository's server/deploy/haproxy.cfg, with
# phones on the real core (tests/e2e/tests/several_processes.rs). Source it after
# tests/lib/common.sh, tests/lib/tools.sh, tests/lib/postgres.sh and tests/lib/s3.sh.

# ensure_haproxy: Debian's haproxy (its service is not started: the tests run their own
# in the foreground) and openssl for the throwaway TLS certificate.
ensure_haproxy() {
    local pkgs=()
    command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || pkgs+=(haproxy)
    command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
    [ "${#pkgs[@]}" -eq 0 ] && return 0
    (apt_install "${pkgs[@]}")
}

_haproxy_bin() {
    command -v haproxy 2>/dev/null || echo /usr/sbin/haproxy
}

_cluster_run_tests() {
    local listing dir exe
    # The workspace's test build (as tests/run builds it), so nothing is rebuilt.
    listing=$(cargo test --workspace --no-run --message-format=json 2>/dev/null \
        | python3 "$ROOT/tests/lib/test_binaries.py" chibo-e2e \
        | grep -E '/several_processes-[0-9a-f]+$')
    [ -n "$listing" ] || {
        echo "the several_processes test binary was not built" >&2
        return 1
    }
    IFS=$'\t' read -r dir exe <<<"$listing"
    echo "     Running $exe"
    # The processes use the CPU too: one test at a time.
    (cd "$dir" && CHIBO_HAPROXY="$(_haproxy_bin)" "$exe" --include-ignored --test-threads=1)
}

cluster_suite() {
    local name="cluster: 3 processes behind haproxy" start status=0 passed failed
    section "$name"
    start=$(now)
    ensure_rust
    ensure_native_build
    if ! run_logged "cluster-build" build_workspace_targets; then
        note "FAILED: $name (cargo build)"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    if ! ensure_haproxy; then
        note "FAILED: $name: haproxy could not be installed"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    note "haproxy: $("$(_haproxy_bin)" -v | head -n 1)"
    if ! ensure_postgres || ! ensure_s3; then
        note "FAILED: $name: PostgreSQL or the S3 server could not be started (see above)"
        record "$name" 0 1 $(($(now) - start))
        stop_s3
        stop_postgres
        return
    fi
    run_logged "$name" _cluster_run_tests || status=$?
    stop_s3
    stop_postgres
    read -r passed failed < <(cargo_test_counts "$(log_of "$name")")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name (exit $status, e.g. a build error)"
        failed=1
    fi
    if [ "$passed" -eq 0 ]; then
        note "FAILED: $name ran no test"
        failed=$((failed + 1))
    fi
    record "$name" "$passed" "$failed" $(($(now) - start))
}
