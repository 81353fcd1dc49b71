package fr.hcbroker.audit;

/**
 * What the writer turns into a record on its own thread: a record, or what one is made from (the
 * gateway hands over its decisions as they are, so that building and cleaning records, with their
 * timestamps already taken, is not work done on an event loop).
 */
public interface AuditEntry {

    /** The record; called once, by the writer's thread. */
    AuditRecord record();
}
