package io.coscale.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the CPU went during a run, by thread family (names with their numbers stripped): ElasticMQ's Pekko
 * dispatchers, Quarkus' REST workers and event loops, the benchmark's HTTP clients, the ECS emulator. Everything
 * runs in one JVM, so this tells the server's share from the load generator's; the machine's load average tells
 * how much CPU others took.
 */
final class CpuProfile {

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> startCpu = new HashMap<>();
    private final long startProcessCpu;
    private final long startWall = System.nanoTime();

    CpuProfile() {
        for (long id : threads.getAllThreadIds()) {
            startCpu.put(id, threads.getThreadCpuTime(id));
        }
        startProcessCpu = processCpuNanos();
    }

    /** Lines for the printed block: process CPU, CPU per unit of work, the biggest thread families. */
    List<String> report(long units, String unitName) {
        double wallSeconds = (System.nanoTime() - startWall) / 1e9;
        double processSeconds = (processCpuNanos() - startProcessCpu) / 1e9;
        Map<String, Long> byFamily = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            ThreadInfo info = threads.getThreadInfo(id);
            long cpu = threads.getThreadCpuTime(id);
            if (info == null || cpu < 0) {
                continue;
            }
            long used = cpu - startCpu.getOrDefault(id, 0L);
            byFamily.merge(info.getThreadName().replaceAll("[0-9]+", "#"), used, Long::sum);
        }
        List<Map.Entry<String, Long>> top = new ArrayList<>(byFamily.entrySet());
        top.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "CPU: this JVM used %.1f core-s in %.1f s wall (%.2f of 2 cores) = %.2f ms per %s; "
                + "machine load average %.1f", processSeconds, wallSeconds, processSeconds / wallSeconds,
                processSeconds * 1000 / Math.max(1, units), unitName,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        StringBuilder families = new StringBuilder("CPU by thread family (core-s):");
        top.stream().limit(8).forEach(e -> families.append(String.format(Locale.ROOT, " %s %.1f;", e.getKey(), e.getValue() / 1e9)));
        lines.add(families.toString());
        return lines;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
