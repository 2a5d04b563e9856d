import { parseStat, startCpuMeter } from '../../bench/cpu-time';

describe('the benchmark’s CPU meter', () => {
  it('reads user and system ticks, its own and its exited children’s, after a command holding spaces and parentheses', () => {
    const line = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 37 60 9 20 0 11 0 12345 1000000 5000';
    expect(parseStat(line)).toEqual({ command: 'node (worker) x', ticks: 287, reaped: 69 });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('divides the CPU a process spent by the requests it answered', () => {
    const cpuUs = (usage: NodeJS.CpuUsage): number => usage.user + usage.system;
    // Both counts open and close together: the meter's own walk over /proc falls inside both.
    const start = process.cpuUsage();
    const meter = startCpuMeter(process.pid);
    let spin = 0;
    while (cpuUs(process.cpuUsage(start)) < 200_000) spin += Math.sqrt(spin + 1);
    const spent = cpuUs(process.cpuUsage(start));
    const { serverCpuUs, postgresCpuUs } = meter.perRequest(2);
    expect(spin).toBeGreaterThan(0);
    // What the process spent, over two requests, give or take /proc's 10 ms ticks at both ends.
    expect(Math.abs((serverCpuUs ?? 0) - spent / 2)).toBeLessThanOrEqual(15_000);
    if (postgresCpuUs !== undefined) expect(postgresCpuUs).toBeGreaterThanOrEqual(0);
    expect(meter.perRequest(0)).toEqual({ serverCpuUs: undefined, postgresCpuUs: undefined });
  });
});
