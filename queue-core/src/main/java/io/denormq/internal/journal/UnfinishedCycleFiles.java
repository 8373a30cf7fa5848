package io.denormq.internal.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import io.denormq.JournalException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds cycle files whose header was never finished: a process killed while Chronicle Queue was
 * creating the day's file leaves one behind (zero-filled, or with its header still marked as being
 * written). Chronicle would wait for the dead writer for tens of seconds at start and fail appends
 * meanwhile. Such a file holds no record (nothing can be appended before the header is complete),
 * and the caller holds the journal's lock (no live writer can be creating it), so it is moved aside
 * and Chronicle creates the file anew.
 */
final class UnfinishedCycleFiles {
    private static final Logger LOG = LoggerFactory.getLogger(UnfinishedCycleFiles.class);
    /** Chronicle's header word: the top bit says "still being written". */
    private static final int NOT_COMPLETE = 0x80000000;

    private UnfinishedCycleFiles() {
    }

    /**
     * @param directory the journal directory, locked by the caller
     * @param files     its cycle files
     * @return the cycles whose files were moved aside
     */
    static List<Integer> moveAside(Path directory, List<Journal.CycleFile> files) {
        List<Integer> moved = new ArrayList<>();
        for (Journal.CycleFile file : files) {
            if (!unfinished(file.path())) {
                continue;
            }
            Path aside = file.path().resolveSibling(file.path().getFileName() + ".unfinished-" + System.currentTimeMillis());
            try {
                Files.move(file.path(), aside);
            } catch (IOException e) {
                throw new JournalException("Cycle file " + file.path() + " was never finished (its process died while "
                        + "creating it) and cannot be moved aside: " + e + ". Move it away by hand; it holds no records", e);
            }
            LOG.warn("Journal {}: cycle file {} was never finished (the process died while creating it); it holds no "
                    + "records and was moved to {}", directory, file.path().getFileName(), aside.getFileName());
            moved.add(file.cycle());
        }
        return moved;
    }

    private static boolean unfinished(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() < 4) {
                return true;
            }
            ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            channel.read(header, 0);
            int word = header.getInt(0);
            return word == 0 || (word & NOT_COMPLETE) != 0;
        } catch (IOException e) {
            throw new JournalException("Cannot read journal cycle file " + file + ": " + e, e);
        }
    }
}
