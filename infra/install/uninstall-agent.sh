#!/usr/bin/env bash
# Removes the berth agent from this host, as root.
#
#   uninstall-agent.sh [--prefix DIR] [--purge] [--dry-run]
#
# Stops and disables berth-agent.service, removes the unit, the prefix (default: the unit's
# WorkingDirectory, else /opt/berth) and /etc/berth/agent.env. Keeps /var/lib/berth (images,
# containers, the agent's key: reinstalling later re-enrolls nothing) unless --purge.
# Running containers keep running: conmon holds them, not the agent (KillMode=process).
#
# Every path is under $DESTDIR (default empty); with DESTDIR set, systemctl is never run (printed
# instead). --dry-run removes nothing.
set -euo pipefail

readonly ME=uninstall-agent.sh
readonly UNIT_NAME=berth-agent.service
readonly ENV_PATH=/etc/berth/agent.env
readonly STATE_DIR=/var/lib/berth
readonly UNIT_DIR=/etc/systemd/system
readonly STEPS=5
DESTDIR=${DESTDIR:-}
DESTDIR=${DESTDIR%/}

die() { printf '%s: %s\n' "$ME" "$*" >&2; exit 2; }
step_no=0
step() { step_no=$((step_no + 1)); printf '[%d/%d] %s\n' "$step_no" "$STEPS" "$*"; }
note() { printf '      %s\n' "$*"; }

prefix='' purge=0 dry_run=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --prefix) [[ $# -ge 2 ]] || die "--prefix needs a value"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --purge) purge=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '${1//[[:cntrl:]]/?}' (usage: $ME [--prefix DIR] [--purge] [--dry-run])" ;;
  esac
done

if [[ -n $DESTDIR ]]; then
  [[ $DESTDIR == /* ]] || DESTDIR=$PWD/$DESTDIR
elif [[ $dry_run -eq 0 && $EUID -ne 0 ]]; then
  die "run as root, or use --dry-run"
fi

unit_file=$DESTDIR$UNIT_DIR/$UNIT_NAME
if [[ -z $prefix && -f $unit_file ]]; then # where install-agent.sh put it
  prefix=$(sed -n 's/^WorkingDirectory=//p' "$unit_file" | head -n 1)
fi
prefix=${prefix:-/opt/berth}
[[ $prefix =~ ^/[A-Za-z0-9._/+-]+$ && $prefix != */..* ]] || die "--prefix must be an absolute path (got '${prefix//[[:cntrl:]]/?}')"
prefix=${prefix%/}
dest_prefix=$DESTDIR$prefix

host_cmd() { # systemctl: printed under DESTDIR or --dry-run; arguments stay an array
  if [[ -n $DESTDIR || $dry_run -eq 1 ]]; then
    note "would run: $(printf '%q ' "$@")"
  else
    note "run: $(printf '%q ' "$@")"
    "$@"
  fi
}
remove() { # remove PATH...: rm -rf, or say so under --dry-run
  local p
  for p in "$@"; do
    if [[ ! -e $p && ! -L $p ]]; then note "$p: not there"; continue; fi
    if [[ $dry_run -eq 1 ]]; then note "would remove $p"; else rm -rf -- "$p"; note "removed $p"; fi
  done
}

# the agent's nftables table, as its configuration names it (read before the file goes)
nft_table=berth
if [[ -f $DESTDIR$ENV_PATH ]]; then
  t=$(sed -n 's/^BERTH_NFT_TABLE=["'"'"']\{0,1\}\([A-Za-z][A-Za-z0-9_]*\)["'"'"']\{0,1\}$/\1/p' "$DESTDIR$ENV_PATH" | tail -n 1)
  [[ -n $t ]] && nft_table=$t
fi

step "stop and disable $UNIT_NAME (containers keep running)"
if [[ -f $unit_file ]]; then
  host_cmd systemctl disable --now "$UNIT_NAME"
else
  note "no unit at $unit_file"
fi

step "remove the unit and reload systemd"
remove "$unit_file"
host_cmd systemctl daemon-reload

step "remove the agent in $prefix"
if [[ -e $dest_prefix && ! -f $dest_prefix/apps/agent/src/main.ts ]]; then
  die "$dest_prefix does not look like a berth install (no apps/agent/src/main.ts): not removing it; pass the right --prefix"
fi
remove "$dest_prefix"

step "remove the configuration $ENV_PATH"
remove "$DESTDIR$ENV_PATH"
if [[ $dry_run -eq 0 && -d $DESTDIR/etc/berth ]]; then
  rmdir --ignore-fail-on-non-empty -- "$DESTDIR/etc/berth"
fi

state=$DESTDIR$STATE_DIR
containers=0
for rt in runc crun; do # one directory per container in each runtime's --root
  if [[ -d $state/runtime/$rt ]]; then
    containers=$((containers + $(find "$state/runtime/$rt" -mindepth 1 -maxdepth 1 -type d | wc -l)))
  fi
done
if [[ $purge -eq 1 ]]; then
  step "remove the state $STATE_DIR (--purge: images, containers, the agent's key)"
  # Running containers have their root filesystems mounted below the state directory: rm -rf
  # would delete their files through the mounts.
  if awk -v d="$state" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    die "file systems are still mounted under $state (running containers): stop them first (runc --root $STATE_DIR/runtime/runc list, kill ID KILL, delete ID) and run this again"
  fi
  step "remove the agent's networks: bridges and the nftables table $nft_table"
  bridges=()
  if [[ -d $state/networks ]]; then
    while IFS= read -r b; do
      [[ $b =~ ^[A-Za-z0-9_.-]{1,15}$ ]] && bridges+=("$b")
    done < <(sed -n 's/^ *"bridge": *"\([^"]*\)".*/\1/p' "$state"/networks/*.json 2>/dev/null)
  fi
  for b in "${bridges[@]}"; do
    if [[ -n $DESTDIR || $dry_run -eq 1 ]]; then note "would run: ip link delete $b"
    elif ip link show dev "$b" >/dev/null 2>&1; then ip link delete "$b" && note "removed bridge $b"
    fi
  done
  if [[ -n $DESTDIR || $dry_run -eq 1 ]]; then note "would run: nft delete table ip $nft_table"
  elif nft list table ip "$nft_table" >/dev/null 2>&1; then nft delete table ip "$nft_table" && note "removed nftables table ip $nft_table"
  fi
  remove "$state"
else
  step "keep the state $STATE_DIR (images, containers, the agent's key); --purge removes it"
fi

echo "berth agent removed${DESTDIR:+ from DESTDIR $DESTDIR}."
if [[ $purge -eq 0 ]]; then
  echo "Running containers keep running (conmon holds them, not the agent); $containers known to the runtimes."
  echo "To stop one: runc --root $STATE_DIR/runtime/runc list, then runc --root $STATE_DIR/runtime/runc kill ID KILL and runc --root $STATE_DIR/runtime/runc delete ID (crun: same with runtime/crun); its conmon exits with it."
fi
