package io.denormq.recovery.demo;

import java.io.PrintStream;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bar over the demo's transactions, on standard error so that standard output keeps
 * only the summary. Without a console (CI, output redirected) the bar has a fixed width and is
 * redrawn once a second; when disabled it draws nothing. {@link #step()} is thread-safe.
 */
final class TransactionProgress implements AutoCloseable {
    private static final int WIDTH_WITHOUT_CONSOLE = 100;

    private final ProgressBar bar;

    private TransactionProgress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * @param enabled      whether to draw anything
     * @param transactions how many transactions there will be
     * @return the progress bar
     */
    static TransactionProgress start(boolean enabled, long transactions) {
        if (!enabled) {
            return new TransactionProgress(null);
        }
        PrintStream err = System.err;
        boolean console = System.console() != null;
        ConsoleProgressBarConsumer consumer = console ? new ConsoleProgressBarConsumer(err)
                : new ConsoleProgressBarConsumer(err, WIDTH_WITHOUT_CONSOLE);
        return new TransactionProgress(new ProgressBarBuilder()
                .setTaskName("transactions")
                .setInitialMax(transactions)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(console ? 200 : 1000)
                .setConsumer(consumer)
                .build());
    }

    /** Counts one finished transaction. */
    void step() {
        if (bar != null) {
            bar.step();
        }
    }

    /** Draws the final state and ends the line. */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
