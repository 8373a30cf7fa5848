package io.denormq;

/**
 * What a handler instance is told when its queue starts ({@link MessageHandler#onStart}): which
 * journal it reads, and which handler and partition it is. A handler that writes message ids or
 * sequences somewhere other handlers' or queues' records also go names its records with these,
 * since ids and sequences are unique within one journal only.
 *
 * @param journalId      the journal's identity: a UUID created with the journal and kept in its
 *                       directory, the same across restarts and hosts (see {@link DenormQueue#journalId()})
 * @param handlerName    the name the handler was registered under
 * @param partition      which partition this instance is, {@code 0 .. partitionCount - 1}
 * @param partitionCount how many partitions the handler runs as in this start (it may differ from
 *                       the previous start's: keys then move between partitions)
 */
public record HandlerContext(String journalId, String handlerName, int partition, int partitionCount) {
}
