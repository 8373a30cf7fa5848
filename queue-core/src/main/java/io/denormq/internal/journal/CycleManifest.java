package io.denormq.internal.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

import io.denormq.JournalException;

/**
 * The list of daily cycles the journal has written records into, {@value #FILE_NAME}: one day
 * number per line. Chronicle Queue skips a missing cycle file silently, and a day without records
 * has no file at all, so only this list can tell a lost file from a quiet day. A journal whose list
 * names a cycle file that is gone refuses to open; retention removes a cycle from the list when it
 * deletes its file.
 */
final class CycleManifest {
    /** The manifest's name inside the journal directory. */
    static final String FILE_NAME = "denormq.cycles";

    private final Path file;
    /** Guarded by {@link #lock}. */
    private final TreeSet<Integer> cycles;
    private volatile int newest;
    /**
     * Serialises the appender's first record of a day with retention. A {@link ReentrantLock}, not
     * {@code synchronized}: the appender may be a virtual thread, which on JDK 21 to 23 would stay
     * pinned to its carrier while it waits for a monitor or writes the file under one.
     */
    private final ReentrantLock lock = new ReentrantLock();

    private CycleManifest(Path file, TreeSet<Integer> cycles) {
        this.file = file;
        this.cycles = cycles;
        this.newest = cycles.isEmpty() ? Integer.MIN_VALUE : cycles.last();
    }

    /**
     * Reads the manifest, adds the cycle files it does not list yet (a crash between a file's
     * first record and its line, or a journal from before the manifest existed), and checks that
     * every listed cycle still has its file.
     *
     * @param directory the journal directory, locked by the caller
     * @param files     the journal's cycle files
     * @return the manifest
     * @throws JournalException if a listed cycle's file is missing, naming it and what to do
     */
    static CycleManifest openAndCheck(Path directory, List<Journal.CycleFile> files, List<Integer> unfinished) {
        Path file = directory.resolve(FILE_NAME);
        TreeSet<Integer> listed = new TreeSet<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        listed.add(Integer.parseInt(line.trim()));
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new JournalException("Cannot read " + file + ": " + e + ". It lists the days the journal wrote; "
                    + "delete it to rebuild it from the cycle files present (a file already lost then goes unnoticed)", e);
        }
        TreeSet<Integer> present = new TreeSet<>();
        files.forEach(cycle -> present.add(cycle.cycle()));
        // A day is listed before its file's first record is written, so a process that died while creating the
        // file leaves it listed; such a file held no record and was moved aside: the day is not missing.
        boolean forgot = listed.removeAll(unfinished);
        for (int cycle : listed) {
            if (!present.contains(cycle)) {
                throw new JournalException("Journal " + directory + ": cycle file " + Journal.cycleFileName(cycle)
                        + " (records of " + LocalDate.ofEpochDay(cycle) + ") is missing, though the journal wrote "
                        + "records into it; the messages in it that handlers had not processed would be lost. Restore "
                        + "the file from a backup. To accept the loss instead, remove the line '" + cycle + "' from "
                        + file + " and start again.");
            }
        }
        CycleManifest manifest = new CycleManifest(file, listed);
        if (forgot || !listed.containsAll(present)) {
            listed.addAll(present);
            manifest.write();
        }
        return manifest;
    }

    /**
     * Records that the journal appended into a cycle; cheap when the cycle is already known.
     *
     * @param cycle the cycle of the latest append
     */
    void appendedInto(int cycle) {
        if (cycle > newest) {
            add(cycle);
        }
    }

    private void add(int cycle) {
        lock.lock();
        try {
            if (cycles.add(cycle)) {
                try {
                    IoFaults.check(IoFaults.Site.MANIFEST);
                    Files.writeString(file, cycle + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    JournalDirectory.restrictToOwner(file); // once a day at most: the file may be new
                } catch (IOException e) {
                    cycles.remove(cycle); // not on disk: the next append into this cycle must try again
                    throw new JournalException("Cannot record cycle " + cycle + " in " + file + ": " + e, e);
                }
            }
            newest = Math.max(newest, cycle);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets cycles whose files retention deleted.
     *
     * @param deleted the deleted cycles
     */
    void removed(Collection<Integer> deleted) {
        lock.lock();
        try {
            List<Integer> removed = new ArrayList<>();
            for (int cycle : deleted) {
                if (cycles.remove(cycle)) {
                    removed.add(cycle);
                }
            }
            if (removed.isEmpty()) {
                return;
            }
            try {
                write();
            } catch (RuntimeException e) {
                cycles.addAll(removed); // still listed on disk: the next attempt must write again
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private void write() {
        lock.lock();
        try {
            List<String> lines = new ArrayList<>();
            cycles.forEach(cycle -> lines.add(Integer.toString(cycle)));
            Path temp = file.resolveSibling(FILE_NAME + ".tmp");
            try {
                IoFaults.check(IoFaults.Site.MANIFEST);
                Files.write(temp, lines, StandardCharsets.UTF_8);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true); // the contents are durable before the rename makes them the manifest
                }
                JournalDirectory.restrictToOwner(temp);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new JournalException("Cannot write " + file + ": " + e, e);
            }
        } finally {
            lock.unlock();
        }
    }
}
