# shellcheck shell=bash
# shellcheck disable=SC2034  # FIG_* are read by the scripts that source this file
# Shared by the container benchmarks (bench_converge.sh, bench_scale.sh); sourced after tests/testbed/lib.sh.
# The caller sets WORK (its scratch directory) and VENV.

# write_hosts FILE PREFIX CONNECTION SITE...: the inventory's hosts.yml, every SITE in group wireguard.
# CONNECTION podman: ansible_host is the container (PREFIX + name); ssh: ansible_host is the site's public
# address (from ssh_address, defined by the caller), root with the run's key and known_hosts, pipelining.
write_hosts() {
  local file=$1 prefix=$2 connection=$3 s; shift 3
  {
    echo "wireguard:"
    if [[ $connection == ssh ]]; then
      echo "  vars:"
      echo "    ansible_connection: ssh"
      echo "    ansible_user: root"
      echo "    ansible_ssh_pipelining: true"
      echo "    ansible_ssh_private_key_file: $WORK/ssh/id_ed25519"
      echo "    ansible_ssh_common_args: -o UserKnownHostsFile=$WORK/ssh/known_hosts -o StrictHostKeyChecking=yes"
      echo "  hosts:"
      for s in "$@"; do echo "    $s: {ansible_host: $(ssh_address "$s")}"; done
    else
      echo "  vars: {ansible_connection: containers.podman.podman}"
      echo "  hosts:"
      for s in "$@"; do echo "    $s: {ansible_host: $prefix$s}"; done
    fi
  } >"$file"
}

# ssh_key: the run's key pair ($WORK/ssh/id_ed25519) and an empty known_hosts; $WORK/cp for the SSH control sockets
ssh_key() {
  rm -rf "$WORK/ssh" "$WORK/cp"; mkdir -p "$WORK/ssh" "$WORK/cp"; chmod 0700 "$WORK/ssh" "$WORK/cp"
  ssh-keygen -q -t ed25519 -N '' -C "sitemesh-bench-$(date +%s)" -f "$WORK/ssh/id_ed25519"
  : >"$WORK/ssh/known_hosts"
}

# ssh_site CONTAINER ADDRESS: openssh-server installed through the apt proxy (the apt lists it needed removed
# again: the site's apt starts as the image's), root's authorized key the run's, its host key in known_hosts
ssh_site() {
  local c=$1 address=$2 i
  podman exec "$c" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends openssh-server >/dev/null \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb \
    && systemctl enable --now ssh >/dev/null 2>&1 && install -d -m 0700 /root/.ssh' \
    || die "openssh-server could not be installed on $c"
  podman cp "$WORK/ssh/id_ed25519.pub" "$c:/root/.ssh/authorized_keys"
  podman exec "$c" sh -c 'chown root:root /root/.ssh/authorized_keys && chmod 0600 /root/.ssh/authorized_keys'
  for ((i = 0; i < 50; i++)); do
    ssh-keyscan -t ed25519 "$address" >>"$WORK/ssh/known_hosts" 2>/dev/null || true
    grep -q "^$address " "$WORK/ssh/known_hosts" && return 0
    sleep 0.2
  done
  die "sshd on $c ($address) does not answer"
}

# site_yml LABEL INVENTORY [ansible-playbook args...]: site.yml (output in $WORK/LABEL.log), one line of figures
# on stdout (wall, controller CPU of ansible-playbook and its workers, changed, tasks per host); FIG_CHANGED and
# FIG_WALL are set. A failed run prints the log's end and exits.
site_yml() {
  local label=$1 inv=$2 rc=0 log="$WORK/$1.log" line; shift 2
  SITE_YML_LOG=$log
  (cd "$REPO_ROOT" && ANSIBLE_CONFIG="$REPO_ROOT/ansible.cfg" ANSIBLE_NOCOLOR=1 \
    ANSIBLE_SSH_CONTROL_PATH_DIR="$WORK/cp" \
    "$VENV/bin/python" tests/benchmark/rusage.py "$WORK/$label.time" "$log" \
    "$VENV/bin/ansible-playbook" -i "$inv" site.yml -e "wireguard_public_key_store=$WORK/public_keys" "$@") || rc=$?
  SITE_YML_LOG=""
  if ((rc != 0)); then tail -40 "$log" >&2; log "site.yml failed ($label), rc=$rc"; exit 1; fi
  line=$("$VENV/bin/python" - "$label" "$WORK/$label.time" "$log" <<'PY'
import re, sys
label, timing, path = sys.argv[1:4]
wall, cpu = (float(v) for v in open(timing).read().split())
recap = re.findall(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=\d+\s+skipped=(\d+)',
                   open(path).read(), re.M)
changed = sum(int(c) for _, _, c, _ in recap)
ok = sorted(int(o) for _, o, _, _ in recap)
skipped = sum(int(s) for _, _, _, s in recap)
print('%s|%.1f|%.1f|%d|%d-%d|%d|%d|%-34s %6.1f s wall  %5.1f s controller CPU  changed=%-3d tasks ok per host '
      '%d-%d, %d skipped in all (%d hosts)' % (
          label, wall, cpu, changed, ok[0], ok[-1], skipped, len(ok),
          label, wall, cpu, changed, ok[0], ok[-1], skipped, len(ok)))
PY
  )
  IFS='|' read -r _ FIG_WALL _ FIG_CHANGED _ _ _ line <<<"$line"
  echo "$line"
}

# unfinished_run: called by the benchmarks' exit trap. When a site.yml run was still going (the benchmark was
# stopped: scripts/test.sh stops a step past its budget), the end of its log: where it stood.
SITE_YML_LOG=""
unfinished_run() {
  [[ -n $SITE_YML_LOG && -f $SITE_YML_LOG ]] || return 0
  echo "--- site.yml was still running; the end of its log ($SITE_YML_LOG):" >&2
  tail -25 "$SITE_YML_LOG" >&2
}

# slowest_tasks LABEL [N]: the N (8) slowest tasks of that run, from profile_tasks (ansible.cfg enables it)
slowest_tasks() {
  sed -n '/^=\{40,\} *$/,$p' "$WORK/$1.log" \
    | grep -E -- ' -+ [0-9.]+s$' | head -n "${2:-8}" | sed 's/^/    /'
}
