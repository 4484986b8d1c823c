#!/usr/bin/env bash
# Captures real traffic between two network namespaces of its own into OUTDIR (default: this folder):
#   veth-ethernet.pcap  Ethernet on a veth: HTTP over TCP (v4, v6), TCP RST, UDP echo (v4, v6), UDP to a
#                       closed port (ICMP/ICMPv6 unreachable), ping (v4, v6), ping -s 3000 over MTU 1500
#                       (IPv4 fragments, IPv6 fragment headers), UDP with IPv6 hop-by-hop + destination
#                       options, ARP/NDP as they come. Snap length 128, so long payloads are cut.
#   any-sll.pcap        tcpdump -i any (LINUX_SLL) of HTTP v4, UDP v6, ping v4.
#   any-sll2.pcap       the same traffic as -i any -y LINUX_SLL2.
#   vlan-tags.pcap      frames of veth-ethernet.pcap re-sent through an AF_PACKET socket with 802.1Q,
#                       802.1ad+802.1Q (QinQ), 0x9100+802.1Q and triple-stacked tags, captured on the
#                       receiving veth. (This kernel has no 8021q module, tc vlan action or bridge VLAN
#                       filtering, so tagged frames cannot come from a VLAN device here.)
# Needs root, ip, tcpdump, curl, socat, python3. Only touches the namespaces it creates and removes.
set -euo pipefail
out=$(cd "${1:-$(dirname "$0")}" && pwd)
tag="smdc$$"
A="$tag-a"; B="$tag-b"
work=$(mktemp -d)
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ip netns add "$A"
ip netns add "$B"
ip link add veth0 netns "$A" address 02:00:00:00:00:01 type veth peer name veth1 netns "$B" address 02:00:00:00:00:02
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" addr add 10.99.0.1/24 dev veth0
ip -n "$B" addr add 10.99.0.2/24 dev veth1
ip -n "$A" addr add fd00:99::1/64 dev veth0 nodad
ip -n "$B" addr add fd00:99::2/64 dev veth1 nodad
ip -n "$A" link set veth0 up
ip -n "$B" link set veth1 up

mkdir -p "$work/www"
printf 'hello from surfacemap\n' > "$work/www/hi.txt"
ip netns exec "$B" python3 -m http.server 8080 --bind :: --directory "$work/www" >/dev/null 2>&1 &
pids+=($!)
ip netns exec "$B" socat UDP6-RECVFROM:9999,ipv6only=0,fork EXEC:cat >/dev/null 2>&1 &
pids+=($!)
# Wait (bounded) until the web server answers; this first exchange is not captured.
for _ in $(seq 1 50); do
  ip netns exec "$A" curl -s -o /dev/null --max-time 1 http://10.99.0.2:8080/hi.txt && break
  sleep 0.1
done

# start_capture NS FILE ARGS... : tcpdump in NS, returns once it is listening.
cap_pids=()
start_capture() {
  local ns=$1 file=$2; shift 2
  ip netns exec "$ns" tcpdump -Z root -U --immediate-mode -n -s 128 -w "$file" "$@" 2>"$file.log" &
  local pid=$!
  pids+=("$pid"); cap_pids+=("$pid")
  for _ in $(seq 1 50); do grep -q 'listening on' "$file.log" && return 0; sleep 0.1; done
  echo "tcpdump did not start: $(cat "$file.log")" >&2
  return 1
}
stop_captures() {
  sleep 0.3
  for p in "${cap_pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${cap_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  cap_pids=()
}
inA() { ip netns exec "$A" "$@"; }

# --- Ethernet on the veth -------------------------------------------------------------------------
ip -n "$A" neigh flush dev veth0
start_capture "$A" "$work/veth-ethernet.pcap" -i veth0
inA curl -s -o /dev/null --max-time 3 http://10.99.0.2:8080/hi.txt
inA curl -s -o /dev/null --max-time 3 -g 'http://[fd00:99::2]:8080/hi.txt'
inA curl -s -o /dev/null --max-time 3 http://10.99.0.2:8081/ || true          # closed: RST
echo 'udp v4' | inA socat -T1 - UDP4:10.99.0.2:9999 >/dev/null
echo 'udp v6' | inA socat -T1 - 'UDP6:[fd00:99::2]:9999' >/dev/null
echo 'closed v4' | inA socat -T0.3 - UDP4:10.99.0.2:9998 >/dev/null 2>&1 || true   # ICMP unreachable
echo 'closed v6' | inA socat -T0.3 - 'UDP6:[fd00:99::2]:9998' >/dev/null 2>&1 || true
inA ping -c 1 -W 2 10.99.0.2 >/dev/null
inA ping -6 -c 1 -W 2 fd00:99::2 >/dev/null
inA ping -c 1 -W 2 -s 3000 10.99.0.2 >/dev/null                               # IPv4 fragments
inA ping -6 -c 1 -W 2 -s 3000 fd00:99::2 >/dev/null                           # IPv6 fragment headers
inA python3 - <<'PY'
# One UDP datagram with a hop-by-hop and a destination options header (PadN options only).
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
padn = bytes([0, 0, 1, 4, 0, 0, 0, 0])  # next header (kernel fills), length 0 (8 bytes), PadN of 4
s.sendmsg([b'ext headers'], [(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, padn),
                             (socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, padn)], 0, ('fd00:99::2', 9999))
PY
stop_captures

# --- Linux cooked captures (what tcpdump -i any writes) -----------------------------------------
start_capture "$A" "$work/any-sll.pcap" -i any -y LINUX_SLL
start_capture "$A" "$work/any-sll2.pcap" -i any -y LINUX_SLL2
inA curl -s -o /dev/null --max-time 3 http://10.99.0.2:8080/hi.txt
echo 'udp v6' | inA socat -T1 - 'UDP6:[fd00:99::2]:9999' >/dev/null
inA ping -c 1 -W 2 10.99.0.2 >/dev/null
stop_captures

# --- VLAN tags: re-send captured frames with tag stacks, capture on the receiving side ----------
start_capture "$B" "$work/vlan-tags.pcap" -i veth1
inA python3 - "$work/veth-ethernet.pcap" <<'PY'
import socket, struct, sys
data = open(sys.argv[1], 'rb').read()
le = data[:4] == b'\xd4\xc3\xb2\xa1'
off, frames = 24, []
while off + 16 <= len(data):
    incl, orig = struct.unpack_from('<II' if le else '>II', data, off + 8)
    frames.append((data[off + 16:off + 16 + incl], incl == orig))
    off += 16 + incl
def pick(pred):  # a frame captured whole (the snap length cut none of it)
    return next(f for f, whole in frames if whole and pred(f))
etype = lambda f: f[12:14]
tcp4 = pick(lambda f: etype(f) == b'\x08\x00' and f[23] == 6)
udp6 = pick(lambda f: etype(f) == b'\x86\xdd' and f[20] == 17)
icmp6 = pick(lambda f: etype(f) == b'\x86\xdd' and f[20] == 58 and f[54] == 128)  # echo request
icmp4 = pick(lambda f: etype(f) == b'\x08\x00' and f[23] == 1 and f[34] == 8)  # echo request
arp = pick(lambda f: etype(f) == b'\x08\x06')
def tagged(f, tags):  # tags: [(tpid, pcp, vid)], outermost first
    stack = b''.join(struct.pack('>HH', tpid, (pcp << 13) | vid) for tpid, pcp, vid in tags)
    return f[:12] + stack + f[12:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('veth0', 0))
for f in (tcp4, udp6, icmp4, arp):
    s.send(tagged(f, [(0x8100, 3, 10)]))
for f in (tcp4, udp6, icmp4, icmp6):
    s.send(tagged(f, [(0x88a8, 0, 100), (0x8100, 5, 20)]))
    s.send(tagged(f, [(0x9100, 0, 300), (0x8100, 0, 30)]))
    s.send(tagged(f, [(0x88a8, 1, 4094), (0x8100, 0, 8), (0x8100, 0, 9)]))
PY
stop_captures

for f in veth-ethernet any-sll any-sll2 vlan-tags; do
  cp "$work/$f.pcap" "$out/$f.pcap"
done
