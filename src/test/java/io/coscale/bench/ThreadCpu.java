package io.coscale.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time the JVM's threads spent between two snapshots, summed per kind of thread (the name without its number):
 * what one benchmark phase cost each part of the one-JVM local cloud. CPU time depends less than samples or wall time
 * on how busy the shared machine is, though a loaded machine still inflates it (shared caches, more JIT work).
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The JVM's own threads (JIT compilers, GC) are not Java threads: only the process's CPU time counts them. */
    private static final String OTHERS = "JIT, GC and other JVM threads";

    private final Map<Long, Long> cpuNanos;
    private final Map<Long, String> names;
    private final long processNanos;

    private ThreadCpu(Map<Long, Long> cpuNanos, Map<Long, String> names, long processNanos) {
        this.cpuNanos = cpuNanos;
        this.names = names;
        this.processNanos = processNanos;
    }

    /** Every live thread's CPU time now. */
    static ThreadCpu now() {
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                long nanos = THREADS.getThreadCpuTime(info.getThreadId());
                if (nanos >= 0) {
                    cpu.put(info.getThreadId(), nanos);
                    names.put(info.getThreadId(), info.getThreadName());
                }
            }
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return new ThreadCpu(cpu, names, process);
    }

    /**
     * CPU milliseconds spent since {@code before}, per kind of thread, largest first; kinds under 1 ms left out. What
     * the process spent beyond its Java threads is one more kind, {@link #OTHERS}.
     */
    Map<String, Long> millisSince(ThreadCpu before) {
        Map<String, Long> byKind = new HashMap<>();
        cpuNanos.forEach((id, nanos) -> {
            long spent = nanos - before.cpuNanos.getOrDefault(id, 0L);
            byKind.merge(kind(names.get(id)), spent, Long::sum);
        });
        long threads = byKind.values().stream().mapToLong(Long::longValue).sum();
        byKind.put(OTHERS, Math.max(0, processNanos - before.processNanos - threads));
        Map<String, Long> millis = new HashMap<>();
        byKind.forEach((kind, nanos) -> millis.put(kind, nanos / 1_000_000));
        return largestFirst(millis);
    }

    /** The figures largest first, those under 1 ms left out. */
    static Map<String, Long> largestFirst(Map<String, Long> millis) {
        return millis.entrySet().stream().filter(e -> e.getValue() >= 1)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (x, y) -> x, LinkedHashMap::new));
    }

    /** The figures of {@link #millisSince} in one line: total, then each kind with its share. */
    static String describe(Map<String, Long> millis) {
        long total = millis.values().stream().mapToLong(Long::longValue).sum();
        return String.format(Locale.ROOT, "CPU %d ms: %s", total, millis.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %d (%.0f%%)", e.getKey(), e.getValue(), 100.0 * e.getValue() / total))
                .collect(Collectors.joining(", ")));
    }

    /** A thread's kind: its name without the number that tells threads of one pool apart. */
    static String kind(String name) {
        return name.replaceAll("[-#]?\\d+$", "").replaceAll("-\\d+-", "-");
    }
}
