package io.denormq.inspect;

import java.util.Objects;

/**
 * A cursor and how far behind the journal it is, as {@link JournalInspector#summary()} counts it.
 *
 * @param cursor      the cursor
 * @param lagMessages released messages after the cursor (of every partition: a partition skips the
 *                    keys of the others, so this is an upper bound for a partitioned handler)
 */
public record CursorLag(Cursor cursor, long lagMessages) {
    /**
     * @param cursor      the cursor
     * @param lagMessages released messages after it
     */
    public CursorLag {
        Objects.requireNonNull(cursor, "cursor");
    }
}
