package io.denormq;

import org.junit.jupiter.api.Assumptions;

/** Tests that run {@code strace}: they need it installed ({@code bash .ci/fuse} does); under {@code CI=true} they fail without it. */
final class Strace {
    private Strace() {
    }

    /**
     * Returns when {@code strace} runs here; otherwise fails under {@code CI=true} and skips the test elsewhere.
     *
     * @param test what is skipped, for the message
     */
    static void require(String test) throws Exception {
        String missing = null;
        try {
            Process probe = new ProcessBuilder("strace", "-V").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            if (probe.waitFor() != 0) {
                missing = "strace -V failed";
            }
        } catch (java.io.IOException e) {
            missing = "strace is not installed (" + e.getMessage() + ")";
        }
        if (missing == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true and " + missing + ". Install with: bash .ci/fuse");
        }
        Assumptions.abort(test + " skipped: " + missing + ". Install with: bash .ci/fuse (apt-get install -y strace)");
    }
}
