export interface LoadStats {
  sent: number;
  ok: number;
  failed: number;
  errors: Record<string, number>;
  versions: Record<string, number>;
  latencies: number[];
  longestGapMs: number;
}
export function startLoad(o: {
  url: string;
  host?: string;
  ca?: string;
  rate: number;
  timeoutMs?: number;
}): { stats: LoadStats; stop(): Promise<LoadStats> };
export function percentile(values: readonly number[], p: number): number;
