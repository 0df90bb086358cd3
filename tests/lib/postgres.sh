# PostgreSQL for the server's second test run: a private throwaway cluster on loopback,
# never the system service. Source it after tests/lib/common.sh and tests/lib/tools.sh.
#
#   ensure_postgres   installs Debian's postgresql when missing, starts a fresh cluster
#                     (initdb into a temp dir, 127.0.0.1 only, a free port, its socket in
#                     the same dir) and exports CHIBO_TEST_DATABASE_URL; the cluster is
#                     stopped and deleted when the shell exits. Returns non-zero, with the
#                     reason, when PostgreSQL cannot be installed or started.
#   stop_postgres     stops and deletes it now (idempotent).
#
# initdb refuses to run as root: as root the cluster runs as the `postgres` OS user the
# Debian package creates (or a dedicated unprivileged user when there is none).

PG_USER=chibo
PG_DATABASE=chibo
# Loopback only and thrown away after the run; the password still makes the tests go
# through the same SCRAM authentication a real deployment uses.
PG_PASSWORD=chibo-test
PG_DIR=""
PG_DATA=""
PG_BIN=""
PG_RUN_AS=""

# _pg_bindir: the newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl.
_pg_bindir() {
    local dir best=""
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ] || continue
        best=$(printf '%s\n%s\n' "$best" "$dir" | sed '/^$/d' | sort -V | tail -n 1)
    done
    echo "$best"
}

# _pg_as_owner CMD...: run CMD as the cluster's owner (this user, or PG_RUN_AS as root).
_pg_as_owner() {
    if [ -z "$PG_RUN_AS" ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$PG_RUN_AS" -- "$@"
    else
        su -s /bin/sh "$PG_RUN_AS" -c "$(printf '%q ' "$@")"
    fi
}

# _pg_owner_user: as root, the unprivileged user that owns the cluster.
_pg_owner_user() {
    if getent passwd postgres >/dev/null 2>&1; then
        echo postgres
        return
    fi
    if ! getent passwd chibo-pg >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            chibo-pg >/dev/null || return 1
    fi
    echo chibo-pg
}

# _pg_reap_stale TMP: clusters under TMP left by a run killed before its cleanup ran.
_pg_reap_stale() {
    local dir owner
    for dir in "$1"/chibo-pg.*; do
        [ -f "$dir/owner-pid" ] || continue
        owner=$(cat "$dir/owner-pid" 2>/dev/null || true)
        if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
            continue
        fi
        note "postgres: removing a stale test cluster in $dir"
        if [ -f "$dir/data/postmaster.pid" ]; then
            "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 \
                || _pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 \
                || true
        fi
        rm -rf "$dir"
    done
}

# _pg_port_busy PORT: something already listens on 127.0.0.1:PORT.
_pg_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

ensure_postgres() {
    [ -n "$PG_DIR" ] && [ -f "$PG_DATA/postmaster.pid" ] && return 0
    local started
    started=$(now)

    PG_BIN=$(_pg_bindir)
    if [ -z "$PG_BIN" ]; then
        # In a subshell: apt_install dies on failure, and this must report instead.
        if ! (apt_install postgresql); then
            note "postgres: FAILED to install Debian's postgresql package"
            return 1
        fi
        PG_BIN=$(_pg_bindir)
        if [ -z "$PG_BIN" ]; then
            note "postgres: installed postgresql but found no /usr/lib/postgresql/*/bin/initdb"
            return 1
        fi
    fi

    PG_RUN_AS=""
    local tmp="${TMPDIR:-/tmp}"
    if [ "$(id -u)" -eq 0 ]; then
        if ! PG_RUN_AS=$(_pg_owner_user); then
            note "postgres: FAILED to find or create an unprivileged user to own the cluster"
            return 1
        fi
        # The owner must be able to reach the directory: not under root's private TMPDIR.
        tmp=/tmp
    fi

    _pg_reap_stale "$tmp"
    PG_DIR=$(mktemp -d "$tmp/chibo-pg.XXXXXX") || return 1
    echo "$$" >"$PG_DIR/owner-pid"
    PG_DATA="$PG_DIR/data"
    printf '%s\n' "$PG_PASSWORD" >"$PG_DIR/pwfile"
    [ -z "$PG_RUN_AS" ] || chown -R "$PG_RUN_AS" "$PG_DIR"
    # tests/run sets no other EXIT trap; stop_postgres is also called right after the
    # suite, and a cluster left by a killed run is reaped by the next one.
    trap stop_postgres EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # Run from the cluster's own dir: the owner may not be allowed into the caller's cwd.
    # No fsync: the data is thrown away, and the tests must not wait on the disk.
    if ! (cd "$PG_DIR" && _pg_as_owner "$PG_BIN/initdb" --pgdata="$PG_DATA" --username="$PG_USER" \
        --pwfile="$PG_DIR/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1); then
        note "postgres: FAILED: initdb"
        sed 's/^/    | /' "$PG_DIR/initdb.log"
        return 1
    fi
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# chibo tests: private throwaway cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

    local attempt port=""
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        _pg_port_busy "$port" && continue
        if (cd "$PG_DIR" && _pg_as_owner "$PG_BIN/pg_ctl" --pgdata="$PG_DATA" \
            --log="$PG_DIR/server.log" --wait --timeout=60 -o "-p $port" start >/dev/null 2>&1); then
            break
        fi
        # Someone took the port between the check and the start: try another one.
        if grep -qE 'could not (bind|create listen socket)' "$PG_DIR/server.log" 2>/dev/null; then
            port=""
            continue
        fi
        note "postgres: FAILED to start the cluster (attempt $attempt)"
        sed 's/^/    | /' "$PG_DIR/server.log" 2>/dev/null | tail -n 30
        return 1
    done
    if [ -z "$port" ] || [ ! -f "$PG_DATA/postmaster.pid" ]; then
        note "postgres: FAILED to find a free port for the cluster"
        return 1
    fi

    local admin_url="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/postgres"
    if ! "$PG_BIN/psql" "$admin_url" -X -q -v ON_ERROR_STOP=1 \
        -c "CREATE DATABASE $PG_DATABASE" >"$PG_DIR/createdb.log" 2>&1; then
        note "postgres: FAILED to create the test database over TCP"
        sed 's/^/    | /' "$PG_DIR/createdb.log"
        return 1
    fi
    export CHIBO_TEST_DATABASE_URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/$PG_DATABASE"
    note "postgres: $("$PG_BIN/postgres" --version) on 127.0.0.1:$port${PG_RUN_AS:+ as $PG_RUN_AS}, data in $PG_DATA ($(($(now) - started))s)"
}

stop_postgres() {
    [ -n "$PG_DIR" ] || return 0
    if [ -f "$PG_DATA/postmaster.pid" ]; then
        (cd "$PG_DIR" && _pg_as_owner "$PG_BIN/pg_ctl" --pgdata="$PG_DATA" -m immediate stop \
            >/dev/null 2>&1) || true
    fi
    rm -rf "$PG_DIR"
    PG_DIR=""
    PG_DATA=""
    unset CHIBO_TEST_DATABASE_URL
}
