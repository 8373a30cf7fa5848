package io.denormq.recovery.demo;

import java.io.PrintWriter;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/** Prints what the demo did and what the read-model check found, in a few lines. */
final class DemoReport {
    private static final int MISMATCHES_SHOWN = 20;

    private final PrintWriter out;

    DemoReport(PrintWriter out) {
        this.out = out;
    }

    void workload(OrderWorkload.Result result, long drainNanos) {
        double seconds = result.nanos() / 1e9;
        line("transactions: %d committed, %d rolled back", result.committed(), result.rolledBack());
        line("messages:     %d published, %d released (the others were discarded with their rolled-back transactions)",
                result.published(), result.released());
        line("wall time:    %s for the transactions; the handler had applied everything %s later", duration(result.nanos()),
                duration(drainNanos));
        line("throughput:   %.0f tx/s, %.0f messages/s published (on an H2 file database)",
                (result.committed() + result.rolledBack()) / seconds, result.published() / seconds);
        line("publish():    %s per call, inside the transaction", percentiles(result.publishNanos()));
        line("commit step:  %s, ProgrammaticTransaction.commit with H2's commit", percentiles(result.commitNanos()));
        line("  of which denormq: %s (journal the batch before H2's commit, release it after)",
                percentiles(result.commitAddedNanos()));
    }

    void handlerLate() {
        line("FAILED: the handler had not applied every released message when the wait ran out");
    }

    void deadLetters(int count) {
        line("dead letters: %d message(s) the handler gave up on", count);
    }

    void check(ReadModelCheck.Result check) {
        if (check.ok()) {
            line("read model check: OK (%d customers match)", check.customers());
            return;
        }
        line("read model check: FAILED (%d of %d customers differ)", check.mismatches().size(), check.customers());
        check.mismatches().stream().limit(MISMATCHES_SHOWN).forEach(mismatch -> line("  %s", mismatch));
        if (check.mismatches().size() > MISMATCHES_SHOWN) {
            line("  ... and %d more", check.mismatches().size() - MISMATCHES_SHOWN);
        }
    }

    void line(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    private static String percentiles(Histogram nanos) {
        if (nanos.getTotalCount() == 0) {
            return "no samples";
        }
        return "median " + duration(nanos.getValueAtPercentile(50)) + ", p99 " + duration(nanos.getValueAtPercentile(99));
    }

    static String duration(long nanos) {
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
