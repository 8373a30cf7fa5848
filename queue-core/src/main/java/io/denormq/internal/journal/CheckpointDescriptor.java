package io.denormq.internal.journal;

import java.nio.ByteOrder;

/**
 * The layout of the checkpoint file, {@value #FILE_NAME}: a memory-mapped file of fixed size that
 * holds each handler's durable cursor and the journal position recovery starts from. Numbers are
 * little-endian ({@link #BYTE_ORDER}, as in the journal's records), written with ordered stores;
 * ordered stores use the platform's order, so {@link CheckpointFile} refuses a big-endian platform.
 *
 * <pre>
 *  header, 64 bytes:
 *   0                 8         12           16                      24                64
 *   +-----------------+---------+------------+-----------------------+----------------+
 *   | magic DNMQCKPT  | version | slot count | recovery low-water    |   reserved     |
 *   +-----------------+---------+------------+-----------------------+----------------+
 *
 *  slot, 128 bytes, {@value #SLOT_COUNT} of them from offset 64:
 *   0                 8        12            16          20               24               128
 *   +-----------------+--------+-------------+-----------+----------------+----------------+
 *   | cursor (int64)  | state  | name length | partition | partition count| name (UTF-8)   |
 *   +-----------------+--------+-------------+-----------+----------------+----------------+
 * </pre>
 *
 * <p>A cursor is the sequence of the last message the handler (partition) processed, or
 * {@value #NOTHING} if it processed nothing. The recovery low-water is the journal index of the
 * oldest batch that may still lack an outcome, or {@value #NOTHING} to start from the beginning:
 * it never decreases, so a stale value only makes recovery read more.
 */
public final class CheckpointDescriptor {
    /** The checkpoint file's name inside the journal directory. */
    public static final String FILE_NAME = "checkpoint.dat";
    /** "DNMQCKPT" as a little-endian long. */
    public static final long MAGIC = 0x54504B43514D4E44L;
    /** Version of this layout. */
    public static final int FORMAT_VERSION = 1;
    /** Byte order of every number in the file. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    /** Cursor or low-water value meaning "nothing yet / from the start". */
    public static final long NOTHING = -1L;

    /** Offset of the magic number. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version. */
    public static final int VERSION_OFFSET = 8;
    /** Offset of the slot count. */
    public static final int SLOT_COUNT_OFFSET = 12;
    /** Offset of the recovery low-water mark. */
    public static final int LOW_WATER_OFFSET = 16;
    /** Length of the header. */
    public static final int HEADER_LENGTH = 64;

    /** Length of one slot. */
    public static final int SLOT_LENGTH = 128;
    /** Offset of the cursor within a slot. */
    public static final int CURSOR_OFFSET = 0;
    /** Offset of the state within a slot. */
    public static final int STATE_OFFSET = 8;
    /** Offset of the name length within a slot. */
    public static final int NAME_LENGTH_OFFSET = 12;
    /** Offset of the partition within a slot. */
    public static final int PARTITION_OFFSET = 16;
    /** Offset of the partition count within a slot. */
    public static final int PARTITION_COUNT_OFFSET = 20;
    /** Offset of the name within a slot. */
    public static final int NAME_OFFSET = 24;
    /** The longest handler name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = SLOT_LENGTH - NAME_OFFSET;

    /** Slot state: free. */
    public static final int STATE_FREE = 0;
    /** Slot state: holds a handler's cursor. */
    public static final int STATE_IN_USE = 1;

    /** Size of the file. */
    public static final int FILE_LENGTH = 64 * 1024;
    /** Number of slots: the most handler partitions one journal can have. */
    public static final int SLOT_COUNT = (FILE_LENGTH - HEADER_LENGTH) / SLOT_LENGTH;

    private CheckpointDescriptor() {
    }

    /**
     * @param slot a slot number
     * @return the slot's offset in the file
     */
    public static int slotOffset(int slot) {
        return HEADER_LENGTH + slot * SLOT_LENGTH;
    }
}
