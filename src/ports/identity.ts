/** Who is running ksad, recorded with every release and lock. */
export interface Operator {
  /** e.g. "budi@diskominfo-sumbawa". */
  user: string;
  hostname: string;
  pid: number;
}

/** Whether a process on this machine still runs (to tell a stale lock from a live one). */
export interface ProcessProbe {
  isAlive(pid: number): boolean;
}
