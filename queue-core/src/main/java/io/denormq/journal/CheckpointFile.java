package io.denormq.journal;

import static io.denormq.journal.CheckpointDescriptor.*;

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

    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer mapping;
    private final UnsafeBuffer buffer;
    private final boolean created;

    private CheckpointFile(Path file, FileChannel channel, MappedByteBuffer mapping, boolean created) {
        this.file = file;
        this.channel = channel;
        this.mapping = mapping;
        this.buffer = new UnsafeBuffer(mapping);
        this.created = created;
    }

    /**
     * Opens the checkpoint file of a journal directory, creating it if missing.
     *
     * @param directory the journal directory
     * @param readOnly  whether to map it for reading only (a missing file is then an error)
     * @return the open file
     * @throws IncompatibleJournalException if the file is damaged or of another format
     */
    public static CheckpointFile open(Path directory, boolean readOnly) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new JournalException("denormq's checkpoint file needs a little-endian platform");
        }
        Path file = directory.resolve(FILE_NAME);
        boolean created = false;
        if (!Files.exists(file)) {
            if (readOnly) {
                throw new JournalException("Checkpoint file " + file + " does not exist: nothing to read");
            }
            create(file);
            created = true;
        }
        try {
            long size = Files.size(file);
            if (size != FILE_LENGTH) {
                throw new IncompatibleJournalException("Checkpoint file " + file + " is " + size + " bytes, expected "
                        + FILE_LENGTH + ": it is damaged or not a denormq checkpoint. " + MOVE_IT_AWAY);
            }
            FileChannel channel = readOnly ? FileChannel.open(file, StandardOpenOption.READ)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            MappedByteBuffer mapping = channel.map(readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE,
                    0, FILE_LENGTH);
            CheckpointFile checkpoint = new CheckpointFile(file, channel, mapping, created);
            checkpoint.verifyHeader();
            return checkpoint;
        } catch (IOException e) {
            throw new JournalException("Cannot map checkpoint file " + file + ": " + e, e);
        }
    }

    private static void create(Path file) {
        UnsafeBuffer header = new UnsafeBuffer(new byte[FILE_LENGTH]);
        header.putLong(MAGIC_OFFSET, MAGIC, ByteOrder.LITTLE_ENDIAN);
        header.putInt(VERSION_OFFSET, FORMAT_VERSION, ByteOrder.LITTLE_ENDIAN);
        header.putInt(SLOT_COUNT_OFFSET, SLOT_COUNT, ByteOrder.LITTLE_ENDIAN);
        header.putLong(LOW_WATER_OFFSET, NOTHING, ByteOrder.LITTLE_ENDIAN);
        Path temp = file.resolveSibling(FILE_NAME + ".tmp");
        try {
            IoFaults.check(IoFaults.Site.CHECKPOINT);
            Files.write(temp, header.byteArray());
            JournalDirectory.restrictToOwner(temp);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new JournalException("Cannot create checkpoint file " + file + ": " + e, e);
        }
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
     * @return whether {@link #open} created the file: with a non-empty journal this means the
     *         cursors were lost, and every handler must start from the beginning
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

    /** Forces and unmaps the file. */
    @Override
    public void close() {
        try {
            force();
            channel.close();
        } catch (IOException e) {
            throw new JournalException("Cannot close checkpoint file " + file + ": " + e, e);
        }
    }
}
