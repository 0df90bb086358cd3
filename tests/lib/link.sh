# The weak 3G link of `tests/bench link`: two network namespaces (the phone's and the
# server's) joined by a veth pair, each direction held to its rate by `tc … tbf`, and
# 2 % of the packets arriving on either side dropped by `iptables -m statistic` (this
# kernel has no netem). The delay (400 ms round trips) and the drop are the benchmark's
# own relay (tests/e2e/examples/bench_link.rs). Source it after tests/lib/common.sh and
# tests/lib/tools.sh.
#
# Needs root (namespaces, veth, tc, iptables), iproute2 and iptables (installed when
# missing), and a kernel with veth, the tbf qdisc and nf_tables with the statistic match.
# Nothing outside the two namespaces is touched: no host route, rule or interface stays.
#
#   link_up     builds the link and exports CHIBO_LINK_* for the benchmark
#   link_down   deletes both namespaces (and so the veth pair); idempotent

LINK_UP_KBIT="${CHIBO_LINK_UP_KBIT:-128}"
LINK_DOWN_KBIT="${CHIBO_LINK_DOWN_KBIT:-384}"
LINK_RTT_MS="${CHIBO_LINK_RTT_MS:-400}"
LINK_LOSS_PERCENT="${CHIBO_LINK_LOSS_PERCENT:-2}"
# A private /30 inside the namespaces only; nothing on the host uses it.
LINK_PHONE_IP=10.213.0.1
LINK_SERVER_IP=10.213.0.2
LINK_PHONE_NS=""
LINK_SERVER_NS=""

link_down() {
    [ -n "$LINK_PHONE_NS" ] && ip netns del "$LINK_PHONE_NS" 2>/dev/null
    [ -n "$LINK_SERVER_NS" ] && ip netns del "$LINK_SERVER_NS" 2>/dev/null
    LINK_PHONE_NS=""
    LINK_SERVER_NS=""
    return 0
}

# _link_reap_stale: namespaces left by a run killed before its cleanup ran.
_link_reap_stale() {
    local ns pid
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^chibo-link-(phone|server)-[0-9]+$'); do
        pid=${ns##*-}
        kill -0 "$pid" 2>/dev/null && continue
        note "link: removing the stale namespace $ns"
        ip netns del "$ns" 2>/dev/null || true
    done
}

link_up() {
    [ "$(id -u)" -eq 0 ] || die "tests/bench link needs root: network namespaces, veth, tc and iptables"
    command -v ip >/dev/null 2>&1 && command -v tc >/dev/null 2>&1 || apt_install iproute2
    command -v iptables >/dev/null 2>&1 || apt_install iptables
    _link_reap_stale
    LINK_PHONE_NS="chibo-link-phone-$$"
    LINK_SERVER_NS="chibo-link-server-$$"
    trap link_down EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    local phone_if="clp$$" server_if="cls$$" loss
    loss=$(awk -v p="$LINK_LOSS_PERCENT" 'BEGIN { printf "%.4f", p / 100 }')
    {
        ip netns add "$LINK_PHONE_NS" &&
            ip netns add "$LINK_SERVER_NS" &&
            ip link add "$phone_if" type veth peer name "$server_if" &&
            ip link set "$phone_if" netns "$LINK_PHONE_NS" &&
            ip link set "$server_if" netns "$LINK_SERVER_NS" &&
            ip -n "$LINK_PHONE_NS" addr add "$LINK_PHONE_IP/30" dev "$phone_if" &&
            ip -n "$LINK_SERVER_NS" addr add "$LINK_SERVER_IP/30" dev "$server_if" &&
            ip -n "$LINK_PHONE_NS" link set lo up &&
            ip -n "$LINK_SERVER_NS" link set lo up &&
            ip -n "$LINK_PHONE_NS" link set "$phone_if" up &&
            ip -n "$LINK_SERVER_NS" link set "$server_if" up &&
            # Up from the phone, down from the server. A queue of a few seconds: a
            # phone's modem buffers rather than drops; the losses are the 2 % below.
            ip netns exec "$LINK_PHONE_NS" tc qdisc add dev "$phone_if" root tbf \
                rate "${LINK_UP_KBIT}kbit" burst 3000 latency 3s &&
            ip netns exec "$LINK_SERVER_NS" tc qdisc add dev "$server_if" root tbf \
                rate "${LINK_DOWN_KBIT}kbit" burst 3000 latency 3s &&
            # Dropped where they arrive, so the sender's TCP sees a loss on the way
            # (a drop on the way out would be reported to it at once).
            ip netns exec "$LINK_PHONE_NS" iptables -A INPUT -i "$phone_if" \
                -m statistic --mode random --probability "$loss" -j DROP &&
            ip netns exec "$LINK_SERVER_NS" iptables -A INPUT -i "$server_if" \
                -m statistic --mode random --probability "$loss" -j DROP
    } || {
        note "link: FAILED to build the link (see above)"
        link_down
        return 1
    }
    export CHIBO_LINK_PHONE_NS="$LINK_PHONE_NS" CHIBO_LINK_SERVER_NS="$LINK_SERVER_NS"
    export CHIBO_LINK_SERVER_IP="$LINK_SERVER_IP" CHIBO_LINK_UP_KBIT="$LINK_UP_KBIT"
    export CHIBO_LINK_DOWN_KBIT="$LINK_DOWN_KBIT" CHIBO_LINK_RTT_MS="$LINK_RTT_MS"
    export CHIBO_LINK_LOSS_PERCENT="$LINK_LOSS_PERCENT"
    note "link: $LINK_PHONE_NS ($LINK_PHONE_IP) <-> $LINK_SERVER_NS ($LINK_SERVER_IP): ${LINK_UP_KBIT} kbit/s up, ${LINK_DOWN_KBIT} kbit/s down, ${LINK_LOSS_PERCENT} % loss each way"
}
