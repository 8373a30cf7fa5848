package io.denormq.internal.journal;

import java.io.IOException;

/**
 * The journal's fault-injection seam, for tests only: every place where the journal does I/O asks
 * it first, and a test can make any of those calls fail with an {@link IOException}, as a failing
 * disk would. With no injector installed (always, outside tests) a check is one volatile read.
 */
public final class IoFaults {
    /** The kinds of I/O call the journal makes. */
    public enum Site {
        /** Writing a record into the journal. */
        APPEND,
        /** Allocating blocks ahead of the appender. */
        ALLOCATE,
        /** Forcing journal files or the journal directory to the disk. */
        FLUSH,
        /** Creating or forcing the checkpoint file. */
        CHECKPOINT,
        /** Writing the cycle manifest. */
        MANIFEST,
        /** Deleting a cycle file (retention). */
        DELETE,
        /** Listing the journal directory. */
        LIST
    }

    /** Decides which calls fail. Called on the journal's threads; must be thread-safe. */
    @FunctionalInterface
    public interface Injector {
        /**
         * @param site the call about to be made
         * @return whether it fails
         */
        boolean shouldFail(Site site);
    }

    private static volatile Injector injector;

    private IoFaults() {
    }

    /**
     * Installs an injector for every journal in this JVM, replacing any other.
     *
     * @param faults the injector, or null to remove it
     */
    public static void install(Injector faults) {
        injector = faults;
    }

    static void check(Site site) throws IOException {
        Injector faults = injector;
        if (faults != null && faults.shouldFail(site)) {
            throw new IOException("injected I/O error (" + site + ")");
        }
    }
}
