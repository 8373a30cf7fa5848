package io.denormq.internal.journal;

import net.openhft.posix.PosixAPI;

/** The native POSIX calls Chronicle ships (fallocate, mmap, msync), where they are available. */
final class Posix {
    private Posix() {
    }

    /** @return Chronicle's POSIX calls, or null where only its no-op stand-in exists (not Linux) */
    static PosixAPI orNull() {
        try {
            PosixAPI posix = PosixAPI.posix();
            return posix.getClass().getSimpleName().startsWith("NoOp") ? null : posix;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
