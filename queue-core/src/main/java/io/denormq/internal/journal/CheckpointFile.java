package io.denormq.internal.journal;

import static io.denormq.internal.journal.CheckpointDescriptor.*;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import io.denormq.IncompatibleJournalException;
import io.denormq.JournalException;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The memory-mapped checkpoint file (see {@link CheckpointDescriptor}). Cursor updates are ordered
 * stores into the mapping: nanoseconds, and durable against a process crash as soon as they are
 * made. Each slot has a single writer (its handler's thread); slot allocation is synchronized.
 */
public final class CheckpointFile implements AutoCloseable {
    /** A handler partition's cursor, as read from the file. */
    public record Entry(int slot, String handler, int partition, int partitionCount, long cursor) {
    }

    private static final String MOVE_IT_AWAY = "Move it away (for example to " + FILE_NAME + ".damaged) and start "
            + "again: every handler is then replayed every message still in the journal (handlers are idempotent), "
            + "so nothing is lost; or restore it from a backup";

    /**
     * The name a checkpoint file created by a start has until that start succeeds: a start that
     * fails leaves {@value CheckpointDescriptor#FILE_NAME} absent, so the next start still knows that
     * the cursors were lost. A leftover of a start that crashed is overwritten by the next one.
     */
    public static final String PENDING_FILE_NAME = FILE_NAME + ".new";

    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer mapping;
    private final UnsafeBuffer buffer;
    private final boolean created;
    /** Where a created file lives until {@link #install()}; null once installed, or for an existing file. */
    private volatile Path pending;

    private CheckpointFile(Path file, Path pending, FileChannel channel, MappedByteBuffer mapping) {
        this.file = file;
        this.pending = pending;
        this.channel = channel;
        this.mapping = mapping;
        this.buffer = new UnsafeBuffer(mapping);
        this.created = pending != null;
    }

    /**
     * Opens the existing checkpoint file of a journal directory. It never creates one: a missing
     * checkpoint is what tells the queue's next start that the cursors were lost.
     *
     * @param directory the journal directory
     * @param readOnly  whether to map it for reading only
     * @return the open file
     * @throws JournalException             if the file does not exist, saying what that means
     * @throws IncompatibleJournalException if the file is damaged or of another format
     */
    public static CheckpointFile open(Path directory, boolean readOnly) {
        checkPlatform();
        Path file = directory.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            throw new JournalException("Journal " + directory + " has no checkpoint file " + file + " (the "
                    + "handlers' cursors): nothing to read or change, and it is not created here. The queue's next "
                    + "start replays every message still in the journal to every handler and creates it; if you "
                    + "moved it away, move it back to keep the cursors");
        }
        return map(file, null, readOnly);
    }

    /**
     * Opens the checkpoint file for a starting queue. A missing file is created under
     * {@value #PENDING_FILE_NAME} ({@link #wasCreated()} is then true) and takes its real name only
     * when the queue calls {@link #install()} after every step of its start that can fail; closed
     * before that, it is deleted. So a failed start changes nothing the next start decides from.
     *
     * @param directory the journal directory, locked by the caller
     * @return the open file, mapped for writing
     * @throws IncompatibleJournalException if the existing file is damaged or of another format
     */
    public static CheckpointFile openOrCreate(Path directory) {
        checkPlatform();
        Path file = directory.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return map(file, null, false);
        }
        Path pending = directory.resolve(PENDING_FILE_NAME);
        create(pending);
        return map(file, pending, false);
    }

    private static void checkPlatform() {
        if (ByteOrder.nativeOrder() != BYTE_ORDER) {
            // ordered (release/acquire) stores into the mapping use the platform's byte order
            throw new JournalException("denormq's checkpoint file needs a " + BYTE_ORDER + " platform");
        }
    }

    private static CheckpointFile map(Path file, Path pending, boolean readOnly) {
        Path mapped = pending == null ? file : pending;
        try {
            long size = Files.size(mapped);
            if (size != FILE_LENGTH) {
                throw new IncompatibleJournalException("Checkpoint file " + mapped + " is " + size + " bytes, expected "
                        + FILE_LENGTH + ": it is damaged or not a denormq checkpoint. " + MOVE_IT_AWAY);
            }
            FileChannel channel = readOnly ? FileChannel.open(mapped, StandardOpenOption.READ)
                    : FileChannel.open(mapped, StandardOpenOption.READ, StandardOpenOption.WRITE);
            MappedByteBuffer mapping = channel.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE,
                    0, FILE_LENGTH);
            CheckpointFile checkpoint = new CheckpointFile(file, pending, channel, mapping);
            checkpoint.verifyHeader();
            return checkpoint;
        } catch (IOException e) {
            throw new JournalException("Cannot map checkpoint file " + mapped + ": " + e, e);
        }
    }

    private static void create(Path pending) {
        UnsafeBuffer header = new UnsafeBuffer(new byte[FILE_LENGTH]);
        header.putLong(MAGIC_OFFSET, MAGIC, BYTE_ORDER);
        header.putInt(VERSION_OFFSET, FORMAT_VERSION, BYTE_ORDER);
        header.putInt(SLOT_COUNT_OFFSET, SLOT_COUNT, BYTE_ORDER);
        header.putLong(LOW_WATER_OFFSET, NOTHING, BYTE_ORDER);
        try {
            IoFaults.check(IoFaults.Site.CHECKPOINT);
            Files.write(pending, header.byteArray()); // replaces the leftover of a start that crashed
            JournalDirectory.restrictToOwner(pending);
        } catch (IOException e) {
            throw new JournalException("Cannot create checkpoint file " + pending + ": " + e, e);
        }
    }

    /**
     * Gives a file created by {@link #openOrCreate} its real name, {@value CheckpointDescriptor#FILE_NAME}:
     * its content is forced to the disk first, then it is renamed atomically. The mapping stays valid.
     * Does nothing for a file that existed or is already installed.
     *
     * @throws JournalException if the rename failed; the file is then still pending
     */
    public void install() {
        Path from = pending;
        if (from == null) {
            return;
        }
        try {
            mapping.force();
            Files.move(from, file, StandardCopyOption.ATOMIC_MOVE);
            Journal.forceDirectory(file.getParent()); // the new name survives a power cut
        } catch (IOException | RuntimeException e) {
            throw new JournalException("Cannot move the new checkpoint file " + from + " to " + file + ": " + e
                    + ". The queue did not start; check that the journal directory is writable", e);
        }
        pending = null;
    }

    private void verifyHeader() {
        long magic = buffer.getLong(MAGIC_OFFSET);
        int version = buffer.getInt(VERSION_OFFSET);
        int slots = buffer.getInt(SLOT_COUNT_OFFSET);
        if (magic != MAGIC) {
            close();
            throw new IncompatibleJournalException("Checkpoint file " + file + " has no denormq header (magic "
                    + Long.toHexString(magic) + "): it is damaged or not a denormq checkpoint. " + MOVE_IT_AWAY);
        }
        if (version != FORMAT_VERSION || slots != SLOT_COUNT) {
            close();
            throw new IncompatibleJournalException("Checkpoint file " + file + " has format version " + version
                    + " with " + slots + " slots; this denormq version reads version " + FORMAT_VERSION + " with "
                    + SLOT_COUNT + " slots. Open the journal with the denormq version that wrote it");
        }
    }

    /** @return the file's path */
    public Path file() {
        return file;
    }

    /**
     * @return whether {@link #openOrCreate} created the file (it was absent): with a non-empty
     *         journal this means the cursors were lost, and every handler must start from the beginning
     */
    public boolean wasCreated() {
        return created;
    }

    /**
     * Frees a slot: its handler's cursor is forgotten.
     *
     * @param slot a slot in use
     */
    public synchronized void free(int slot) {
        buffer.putIntRelease(slotOffset(slot) + STATE_OFFSET, STATE_FREE);
    }

    /**
     * Drops every cursor (all partitions) of a handler: it is forgotten, as if it had never run.
     *
     * @param handler the handler's name
     * @return the cursors dropped, none if the handler had none
     */
    public synchronized List<Entry> dropCursors(String handler) {
        List<Entry> dropped = new ArrayList<>();
        for (Entry entry : entries()) {
            if (entry.handler().equals(handler)) {
                free(entry.slot());
                dropped.add(entry);
            }
        }
        return dropped;
    }

    /**
     * Finds the slot of a handler partition, or allocates one whose cursor starts at
     * {@code initialCursor}.
     *
     * @param handler        the handler's name, at most {@value CheckpointDescriptor#MAX_NAME_BYTES} UTF-8 bytes
     * @param partition      the partition
     * @param partitionCount how many partitions the handler has
     * @param initialCursor  the cursor of a new slot
     * @return the slot number
     * @throws JournalException if every slot is taken
     */
    public synchronized int slotFor(String handler, int partition, int partitionCount, long initialCursor) {
        byte[] name = handler.getBytes(StandardCharsets.UTF_8);
        int free = -1;
        for (int slot = 0; slot < SLOT_COUNT; slot++) {
            int offset = slotOffset(slot);
            int state = buffer.getIntVolatile(offset + STATE_OFFSET);
            if (state == STATE_IN_USE) {
                if (buffer.getInt(offset + PARTITION_OFFSET) == partition && nameEquals(offset, name)) {
                    return slot;
                }
            } else if (free < 0) {
                free = slot;
            }
        }
        if (free < 0) {
            throw new JournalException("Checkpoint file " + file + " has no free slot for handler '" + handler
                    + "' partition " + partition + ": all " + SLOT_COUNT + " are taken. Drop the cursors of retired handlers");
        }
        int offset = slotOffset(free);
        buffer.putLong(offset + CURSOR_OFFSET, initialCursor);
        buffer.putInt(offset + NAME_LENGTH_OFFSET, name.length);
        buffer.putInt(offset + PARTITION_OFFSET, partition);
        buffer.putInt(offset + PARTITION_COUNT_OFFSET, partitionCount);
        buffer.setMemory(offset + NAME_OFFSET, MAX_NAME_BYTES, (byte) 0);
        buffer.putBytes(offset + NAME_OFFSET, name);
        buffer.putIntRelease(offset + STATE_OFFSET, STATE_IN_USE);
        return free;
    }

    private boolean nameEquals(int offset, byte[] name) {
        if (buffer.getInt(offset + NAME_LENGTH_OFFSET) != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (buffer.getByte(offset + NAME_OFFSET + i) != name[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param slot a slot returned by {@link #slotFor}
     * @return its cursor
     */
    public long cursor(int slot) {
        return buffer.getLongAcquire(slotOffset(slot) + CURSOR_OFFSET);
    }

    /**
     * Stores a cursor with an ordered store: durable against a process crash once it returns.
     *
     * @param slot   a slot returned by {@link #slotFor}
     * @param cursor the sequence of the last message processed
     */
    public void putCursor(int slot, long cursor) {
        buffer.putLongRelease(slotOffset(slot) + CURSOR_OFFSET, cursor);
    }

    /** @return the journal index recovery starts from, or {@link CheckpointDescriptor#NOTHING} */
    public long recoveryLowWater() {
        return buffer.getLongAcquire(LOW_WATER_OFFSET);
    }

    /**
     * @param index the journal index of the oldest batch that may lack an outcome
     */
    public void putRecoveryLowWater(long index) {
        buffer.putLongRelease(LOW_WATER_OFFSET, index);
    }

    /** @return every slot in use */
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        for (int slot = 0; slot < SLOT_COUNT; slot++) {
            int offset = slotOffset(slot);
            if (buffer.getIntVolatile(offset + STATE_OFFSET) == STATE_IN_USE) {
                byte[] name = new byte[Math.min(MAX_NAME_BYTES, Math.max(0, buffer.getInt(offset + NAME_LENGTH_OFFSET)))];
                buffer.getBytes(offset + NAME_OFFSET, name);
                entries.add(new Entry(slot, new String(name, StandardCharsets.UTF_8), buffer.getInt(offset + PARTITION_OFFSET),
                        buffer.getInt(offset + PARTITION_COUNT_OFFSET), cursor(slot)));
            }
        }
        return entries;
    }

    /**
     * Forces the file to the disk.
     *
     * @throws JournalException if the flush failed
     */
    public void force() {
        if (!channelIsReadOnly()) {
            try {
                IoFaults.check(IoFaults.Site.CHECKPOINT);
                mapping.force();
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new JournalException("Cannot flush checkpoint file " + file + " to disk: " + e, e);
            }
        }
    }

    private boolean channelIsReadOnly() {
        return mapping.isReadOnly();
    }

    /**
     * Forces and unmaps the file. A file created by {@link #openOrCreate} and never installed is
     * deleted: the start that created it failed.
     */
    @Override
    public void close() {
        Path uninstalled = pending;
        try {
            if (uninstalled == null) {
                force();
            }
            channel.close();
            if (uninstalled != null) {
                Files.deleteIfExists(uninstalled);
            }
        } catch (IOException e) {
            throw new JournalException("Cannot close checkpoint file " + (uninstalled == null ? file : uninstalled)
                    + ": " + e, e);
        }
    }
}
