package io.denormq.recovery.cli;

import java.nio.file.Path;

import io.denormq.inspect.JournalInspector;
import io.denormq.inspect.JournalMaintenance;
import picocli.CommandLine.Parameters;

/** The journal directory every operator command takes first, and the two ways to open it. */
final class JournalDirectoryParameter {
    @Parameters(index = "0", paramLabel = "DIR", description = "the journal directory")
    Path directory;

    /** @return a read-only view, which works while a queue uses the journal */
    JournalInspector inspect() {
        return JournalInspector.open(directory);
    }

    /** @return a maintenance session, which holds the journal's lock (refused while a queue uses it) */
    JournalMaintenance maintain() {
        return JournalMaintenance.open(directory);
    }
}
