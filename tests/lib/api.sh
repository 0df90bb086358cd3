# The API suite: schemathesis (PyPI), a property-based API tester, runs the OpenAPI
# document the server serves against the server itself, with all its checks (no 5xx,
# bodies and headers as documented, only documented statuses, invalid input refused,
# valid input accepted, no missing or wrong credential accepted), once authenticated as
# the seeded commune's office device and once with no credential. The server is the
# fixture tests/e2e/src/bin/api_fixture.rs (the real server on SQLite on loopback, seeded
# by the demo's story). Source it after tests/lib/common.sh and tests/lib/tools.sh.

SCHEMATHESIS_VERSION="4.32.5"
SCHEMATHESIS_VENV="$TOOLS_DIR/schemathesis-venv"
# Cases per operation and phase; the whole suite stays within a few minutes.
API_MAX_EXAMPLES="${CHIBO_API_MAX_EXAMPLES:-40}"

# ensure_schemathesis: schemathesis in a venv in $TOOLS_DIR. Sets SCHEMATHESIS.
ensure_schemathesis() {
    SCHEMATHESIS="$SCHEMATHESIS_VENV/bin/st"
    if [ -x "$SCHEMATHESIS" ] && "$SCHEMATHESIS_VENV/bin/python" -c \
        "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')" 2>/dev/null; then
        return 0
    fi
    command -v python3 >/dev/null 2>&1 || apt_install python3
    rm -rf "$SCHEMATHESIS_VENV"
    mkdir -p "$TOOLS_DIR"
    if ! python3 -m venv "$SCHEMATHESIS_VENV" >/dev/null 2>&1; then
        apt_install python3-venv
        python3 -m venv "$SCHEMATHESIS_VENV" || return 1
    fi
    note "install: pip install schemathesis==$SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV"
    "$SCHEMATHESIS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        "schemathesis==$SCHEMATHESIS_VERSION" >/dev/null
}

# junit_xml_counts FILE: prints "PASSED FAILED" over the test cases of a JUnit XML report
# (one per API operation; failed when it has a failure or an error).
junit_xml_counts() {
    python3 - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print("0 0")
    sys.exit()
passed = failed = 0
for case in root.iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is None:
        passed += 1
print(passed, failed)
PY
}

# _api_run NAME URL REPORT [ARGS...]: one schemathesis run, counted per operation. One
# worker: with two, Hypothesis describes its filters by parsing their source with `ast` in
# two threads at once, which Python 3.11 (Debian's) does not survive ("AST constructor
# recursion depth mismatch"), and the run reports a runtime error instead of a result.
_api_run() {
    local name=$1 url=$2 report=$3 start status=0 passed failed
    shift 3
    section "$name"
    start=$(now)
    rm -f "$report"
    # From target/api, where schemathesis keeps its own files.
    run_logged "$name" env -C "$TARGET_DIR/api" SCHEMATHESIS_HOOKS=api_hooks \
        PYTHONPATH="$ROOT/tests/api" \
        "$SCHEMATHESIS" --config-file "$ROOT/tests/api/schemathesis.toml" run \
        "$url/api/v1/openapi.json" --checks all --max-examples "$API_MAX_EXAMPLES" \
        --workers 1 --no-color --report junit --report-junit-path "$report" "$@" || status=$?
    read -r passed failed < <(junit_xml_counts "$report")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        note "FAILED: $name (exit $status)"
        failed=1
    fi
    record "$name" "$passed" "$failed" $(($(now) - start))
}

api_suite() {
    local name="api: schemathesis" start
    start=$(now)
    section "$name"
    if ! ensure_schemathesis; then
        note "FAILED: $name (schemathesis did not install)"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    # The workspace build the other suites make (the fixture is one of its binaries).
    if ! run_logged "api-build" build_workspace_targets; then
        note "FAILED: $name (cargo build of the API fixture)"
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    local fixture_log ready fixture_pid url credential
    fixture_log=$(log_of "api-fixture")
    # The fixture serves until its stdin closes: a coprocess whose input we hold.
    coproc API_FIXTURE { "$TARGET_DIR/debug/api_fixture" 2>"$fixture_log"; }
    fixture_pid=$API_FIXTURE_PID
    if ! read -r -t 900 ready <&"${API_FIXTURE[0]}"; then
        note "FAILED: $name (the fixture did not start; see $fixture_log)"
        kill "$fixture_pid" 2>/dev/null || true
        record "$name" 0 1 $(($(now) - start))
        return
    fi
    _fixture_field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$ready" "$1"; }
    url=$(_fixture_field url)
    credential=$(_fixture_field office_credential)
    note "fixture: $url (seeded in $(_fixture_field seed_seconds)s)"
    # Read by tests/api/schemathesis.toml.
    CHIBO_API_COMMUNE_ID=$(_fixture_field commune_id)
    CHIBO_API_CELL_ID=$(_fixture_field cell_id)
    CHIBO_API_CADRE_ID=$(_fixture_field cadre_id)
    CHIBO_API_SPARE_DEVICE_ID=$(_fixture_field spare_device_id)
    export CHIBO_API_COMMUNE_ID CHIBO_API_CELL_ID CHIBO_API_CADRE_ID CHIBO_API_SPARE_DEVICE_ID
    mkdir -p "$TARGET_DIR/api"
    _api_run "api: schemathesis as the office device" "$url" "$TARGET_DIR/api/office.xml" \
        -H "Authorization: Bearer $credential"
    _api_run "api: schemathesis without a credential" "$url" "$TARGET_DIR/api/anonymous.xml"
    # Closing its stdin stops the fixture.
    exec {API_FIXTURE[1]}>&-
    wait "$fixture_pid" 2>/dev/null || true
}
