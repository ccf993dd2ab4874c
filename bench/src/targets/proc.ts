import { readFileSync } from "node:fs";

/** Linux USER_HZ: /proc times are in these ticks (sysconf(_SC_CLK_TCK), 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a whole process (all threads), from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const { user, system } = processCpuTimes(pid);
  return user + system;
}

/** User and system (kernel: syscalls, loopback TCP, TLS writes) CPU seconds, all threads. */
export function processCpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // proc(5): utime is field 14 and stime field 15, i.e. indexes 11 and 12 after "pid (comm)".
  return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
}

/** Resident set size in MiB, from /proc/<pid>/status (VmRSS). */
export function processRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}
