package io.coscale.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Latency distributions and the printed block every benchmark ends with. */
final class Figures {

    private Figures() {
    }

    /** A latency distribution, in nanoseconds. */
    record Distribution(long[] sortedNanos) {

        static Distribution of(Collection<Long> nanos) {
            return new Distribution(nanos.stream().mapToLong(Long::longValue).sorted().toArray());
        }

        static Distribution of(long[] nanos) {
            long[] copy = nanos.clone();
            Arrays.sort(copy);
            return new Distribution(copy);
        }

        int count() {
            return sortedNanos.length;
        }

        /** The nearest-rank percentile, in milliseconds. */
        double percentileMillis(double p) {
            if (sortedNanos.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
            return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
        }

        double maxMillis() {
            return percentileMillis(100);
        }

        String summary() {
            return String.format(Locale.ROOT, "n=%d  p50 %s  p90 %s  p99 %s  max %s", count(), ms(percentileMillis(50)),
                    ms(percentileMillis(90)), ms(percentileMillis(99)), ms(maxMillis()));
        }
    }

    static String ms(double millis) {
        return millis >= 100 ? String.format(Locale.ROOT, "%.0f ms", millis) : String.format(Locale.ROOT, "%.2f ms", millis);
    }

    /** Most timestamps (nanoTime) falling in any window of {@code windowNanos}, sliding from each timestamp. */
    static int maxInWindow(List<Long> nanos, long windowNanos) {
        long[] t = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        int best = 0;
        int start = 0;
        for (int end = 0; end < t.length; end++) {
            while (t[end] - t[start] >= windowNanos) {
                start++;
            }
            best = Math.max(best, end - start + 1);
        }
        return best;
    }

    /** Prints a titled block of lines, framed so it stands out in the Maven log. */
    static void print(String title, List<String> lines) {
        StringBuilder out = new StringBuilder("\n==== BENCHMARK: ").append(title).append(" ====\n");
        lines.forEach(l -> out.append("  ").append(l).append('\n'));
        out.append("====\n");
        System.out.print(out);
        System.out.flush();
    }
}
