#!/usr/bin/env bash
# A multi-host lab by hand, named like the test lab (packages/testing/src/lab) with id "manual":
# bridge blmanual (10.213.250.1/24), hosts in netns berth-lab-manual-hN at 10.213.250.(10+N),
# state in /tmp/berth-lab-manual/hN, cgroup parent berth-lab-manual-hN. No route leaves the lab.
#   lab.sh up N        create N hosts     e.g. ip netns exec berth-lab-manual-h1 busybox sh
#   lab.sh down [ID]   remove lab ID (default manual; any id shown by status, e.g. a crashed run's)
#   lab.sh status      list every lab on this machine and whether its creator still runs
set -euo pipefail

die() { echo "lab.sh: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "run as root (namespaces, links and cgroups need it)"

up() {
  local n=${1:-} id=manual net=10.213.250 i
  [[ $n =~ ^[1-9][0-9]?$ ]] || die "usage: lab.sh up N (1-99 hosts)"
  ! ip link show "bl$id" >/dev/null 2>&1 || die "lab $id already up; run: lab.sh down"
  ! ip -o -4 addr show | grep -q " $net\." || die "$net.0/24 is already used on this machine: $(ip -o -4 addr show | grep " $net\.")"
  ip link add "bl$id" type bridge
  ip link set "bl$id" addrgenmode none
  ip addr add "$net.1/24" dev "bl$id"
  ip link set "bl$id" up
  for ((i = 1; i <= n; i++)); do
    local ns="berth-lab-$id-h$i"
    mkdir -p "/tmp/berth-lab-$id/h$i"
    ip netns add "$ns"
    ip link add "bl${id}h$i" type veth peer name eth0 netns "$ns"
    ip link set "bl${id}h$i" addrgenmode none
    ip link set "bl${id}h$i" master "bl$id" up
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 addrgenmode none
    ip -n "$ns" addr add "$net.$((10 + i))/24" dev eth0
    ip -n "$ns" link set eth0 up
    echo "h$i  netns $ns  address $net.$((10 + i))  state /tmp/berth-lab-$id/h$i  cgroup parent $ns"
  done
  echo "control plane address (bridge bl$id): $net.1"
}

down() {
  local id=${1:-manual} ns link cg
  [[ $id =~ ^[0-9a-z]+$ ]] || die "bad lab id: $id"
  for ns in $(ip netns list | awk '{print $1}' | grep "^berth-lab-$id-h[0-9]*$" || true); do
    ip netns pids "$ns" | xargs -r kill -KILL || true
  done
  for cg in /sys/fs/cgroup/*/berth-lab-"$id"-* /sys/fs/cgroup/berth-lab-"$id"-*; do
    [[ -d $cg ]] || continue
    find "$cg" -name cgroup.procs -exec cat {} + | xargs -r kill -KILL || true
    sleep 0.2
    find "$cg" -depth -type d -exec rmdir {} +
  done
  for link in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^bl${id}(h[0-9]+)?$" | sort -r || true); do
    ip link delete "$link"
  done
  for ns in $(ip netns list | awk '{print $1}' | grep "^berth-lab-$id-h[0-9]*$" || true); do
    ip netns delete "$ns"
  done
  rm -rf "/tmp/berth-lab-$id" "/run/berth-lab/$id.json"
  { grep -lx "$id" /run/berth-lab/subnet-* 2>/dev/null || true; } | xargs -r rm -f
  echo "lab $id removed"
}

status() {
  local ids id pid owner
  ids=$( { ip netns list | awk '{print $1}' | sed -n 's/^berth-lab-\([0-9a-z]*\)-h[0-9]*$/\1/p'
           ip -o link show type bridge | awk -F': ' '{print $2}' | sed -n 's/^bl\([0-9a-z]*\)$/\1/p'
           find /run/berth-lab -maxdepth 1 -name '*.json' -printf '%f\n' 2>/dev/null | sed 's/\.json$//'; } | sort -u)
  [[ -n $ids ]] || { echo "no labs"; return; }
  for id in $ids; do
    pid=$(sed -n 's/^ *"pid": \([0-9]*\).*/\1/p' "/run/berth-lab/$id.json" 2>/dev/null || true)
    if [[ $id == manual ]]; then owner="by hand"
    elif [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then owner="pid $pid running"
    else owner="creator ${pid:+pid $pid }dead: stale, remove with lab.sh down $id"; fi
    echo "lab $id ($owner)  bridge: $(ip -o -4 addr show dev "bl$id" 2>/dev/null | awk '{print $4}' || true)"
    ip netns list | awk '{print $1}' | grep "^berth-lab-$id-h" | while read -r ns; do
      echo "  $ns  $(ip -n "$ns" -o -4 addr show dev eth0 2>/dev/null | awk '{print $4}')  $(ip netns pids "$ns" | wc -l) processes"
    done
  done
}

case ${1:-} in
  up) up "${2:-}" ;;
  down) down "${2:-manual}" ;;
  status) status ;;
  *) die "usage: lab.sh up N | down [ID] | status" ;;
esac
