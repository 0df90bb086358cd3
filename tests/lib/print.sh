# The print suite: the monthly XLSX reports, the commune's and the province's (one row per
# commune), rendered by LibreOffice Calc to PDF
# and checked with poppler (page size and orientation, all columns and the headers on
# every page, names on one line): server/demo/tests/xlsx_print.rs. The PDF and PNGs of
# its pages land in target/print/. Source it after tests/lib/common.sh and
# tests/lib/tools.sh.

# ensure_print_tools: LibreOffice Calc without a GUI (the writer-only package cannot open
# XLSX), poppler's pdfinfo/pdftotext/pdftoppm, and a font with Vietnamese diacritics.
ensure_print_tools() {
    local pkgs=()
    command -v soffice >/dev/null 2>&1 && [ -d /usr/lib/libreoffice/program ] \
        && dpkg-query -W -f='${Status}' libreoffice-calc-nogui 2>/dev/null | grep -q 'install ok installed' \
        || pkgs+=(libreoffice-calc-nogui)
    command -v pdftotext >/dev/null 2>&1 || pkgs+=(poppler-utils)
    fc-list 2>/dev/null | grep -qi dejavu || pkgs+=(fonts-dejavu-core)
    [ "${#pkgs[@]}" -eq 0 ] || apt_install "${pkgs[@]}"
}

# _print_test_binary: "<folder>\t<exe>" of chibo-demo's xlsx_print test.
_print_test_binary() {
    cargo test --workspace --no-run --message-format=json 2>/dev/null \
        | python3 "$ROOT/tests/lib/test_binaries.py" chibo-demo \
        | while IFS=$'\t' read -r dir exe; do
            case "$(basename "$exe")" in xlsx_print-*) printf '%s\t%s\n' "$dir" "$exe" ;; esac
        done
}

_print_run_test() {
    local dir exe
    IFS=$'\t' read -r dir exe < <(_print_test_binary)
    [ -n "${exe:-}" ] || { echo "no xlsx_print test binary in the workspace build" >&2; return 1; }
    echo "     Running $exe"
    # The test is ignored in a plain cargo test (it needs the tools installed here).
    (cd "$dir" && "$exe" --include-ignored)
}

print_suite() {
    local name="print: monthly XLSX reports (commune, province) through LibreOffice" start status=0 passed failed
    section "$name"
    start=$(now)
    ensure_rust
    ensure_native_build
    # In a subshell: apt_install dies on failure, and this must be counted instead.
    if ! (ensure_print_tools); then
        note "FAILED: $name: LibreOffice Calc or poppler-utils did not install"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    if ! run_logged "print-build" build_workspace_targets; then
        note "FAILED: $name (cargo build)"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    run_logged "$name" _print_run_test || status=$?
    read -r passed failed < <(cargo_test_counts "$(log_of "$name")")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name (exit $status)"
        failed=1
    fi
    if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name ran no test"
        failed=1
    fi
    record "$name" "$passed" "$failed" $(($(now) - start))
}
