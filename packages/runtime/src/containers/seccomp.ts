// berth's default seccomp profile.
//
// It is written as a DENY-LIST: defaultAction SCMP_ACT_ALLOW, and the syscalls below fail
// with EPERM (SCMP_ACT_ERRNO). Docker's own profile is an allow-list (default ERRNO); this
// one denies the same dangerous calls Docker leaves out of its list — kernel modules, kexec,
// keyrings, bpf, perf, mount and namespace creation, clock setting, ptrace-like access to
// other processes — and, like Docker, lets a capability bring its calls back (mount with
// CAP_SYS_ADMIN, ptrace with CAP_SYS_PTRACE...). A deny-list lets through syscalls newer
// than the list; the capability set and the user namespace still apply to those.
import type { LinuxSeccomp, LinuxSeccompSyscall } from '../spec/run-opts.ts';

const EPERM = 1;
const ENOSYS = 38;

interface DenyGroup {
  names: string[];
  /** Having any of these capabilities allows the group (Docker's "includes.caps"). */
  unlessCaps: string[];
  why: string;
}

const DENY: readonly DenyGroup[] = [
  { names: ['init_module', 'finit_module', 'delete_module', 'create_module', 'query_module', 'get_kernel_syms'], unlessCaps: ['CAP_SYS_MODULE'], why: 'kernel modules' },
  { names: ['kexec_load', 'kexec_file_load', 'reboot'], unlessCaps: ['CAP_SYS_BOOT'], why: 'replace or reboot the host kernel' },
  { names: ['add_key', 'request_key', 'keyctl'], unlessCaps: [], why: 'kernel keyrings are not namespaced' },
  { names: ['bpf'], unlessCaps: ['CAP_SYS_ADMIN', 'CAP_BPF'], why: 'eBPF programs see the whole host' },
  { names: ['perf_event_open'], unlessCaps: ['CAP_SYS_ADMIN', 'CAP_PERFMON'], why: 'perf exposes host activity' },
  { names: ['open_by_handle_at', 'name_to_handle_at'], unlessCaps: ['CAP_DAC_READ_SEARCH'], why: 'file handles escape the mount namespace' },
  {
    names: ['mount', 'umount', 'umount2', 'pivot_root', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'open_tree', 'move_mount', 'mount_setattr'],
    unlessCaps: ['CAP_SYS_ADMIN'],
    why: 'mounts need CAP_SYS_ADMIN',
  },
  { names: ['unshare', 'setns'], unlessCaps: ['CAP_SYS_ADMIN'], why: 'new namespaces need CAP_SYS_ADMIN' },
  { names: ['swapon', 'swapoff', 'quotactl', 'quotactl_fd', 'lookup_dcookie', 'nfsservctl', 'sysfs', '_sysctl', 'ustat', 'uselib', 'vm86', 'vm86old'], unlessCaps: ['CAP_SYS_ADMIN'], why: 'host administration and obsolete calls' },
  { names: ['acct'], unlessCaps: ['CAP_SYS_PACCT'], why: 'process accounting is host-wide' },
  { names: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'clock_adjtime', 'clock_adjtime64', 'adjtimex'], unlessCaps: ['CAP_SYS_TIME'], why: 'the clock is not namespaced' },
  { names: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd'], unlessCaps: ['CAP_SYS_PTRACE'], why: 'inspecting other processes' },
  { names: ['iopl', 'ioperm'], unlessCaps: ['CAP_SYS_RAWIO'], why: 'raw I/O ports' },
  { names: ['get_mempolicy', 'set_mempolicy', 'mbind', 'move_pages', 'migrate_pages'], unlessCaps: ['CAP_SYS_NICE'], why: 'NUMA placement of the host' },
  { names: ['syslog'], unlessCaps: ['CAP_SYSLOG'], why: 'the kernel log' },
  { names: ['userfaultfd'], unlessCaps: ['CAP_SYS_PTRACE'], why: 'a common exploitation primitive' },
];

// clone's flags argument is index 0 on x86_64 and arm64. Each entry denies one flag; the
// conditions inside one entry are ANDed, so one entry per flag gives "any of these".
const CLONE_NAMESPACE_FLAGS: readonly number[] = [
  0x00020000, // CLONE_NEWNS
  0x02000000, // CLONE_NEWCGROUP
  0x04000000, // CLONE_NEWUTS
  0x08000000, // CLONE_NEWIPC
  0x10000000, // CLONE_NEWUSER
  0x20000000, // CLONE_NEWPID
  0x40000000, // CLONE_NEWNET
  0x00000080, // CLONE_NEWTIME
];

const ARCHITECTURES: Record<string, string[]> = {
  amd64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
};

/**
 * The profile for a container holding `capabilities`. `arch` is the OCI architecture
 * (amd64, arm64); its compat ABIs are listed too, or a 32-bit syscall would skip the filter.
 */
export function defaultSeccompProfile(capabilities: readonly string[], arch = 'amd64'): LinuxSeccomp {
  const has = (caps: string[]) => caps.some((c) => capabilities.includes(c));
  const syscalls: LinuxSeccompSyscall[] = [];
  for (const group of DENY) {
    if (!has(group.unlessCaps)) syscalls.push({ names: [...group.names], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM });
  }
  if (!has(['CAP_SYS_ADMIN'])) {
    for (const flag of CLONE_NAMESPACE_FLAGS) {
      syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }] });
    }
    // clone3 passes its flags in a struct seccomp cannot read: ENOSYS makes libc fall back
    // to clone, which is filtered above (Docker does the same).
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  const profile: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls };
  const archs = ARCHITECTURES[arch];
  if (archs) profile.architectures = [...archs];
  return profile;
}
