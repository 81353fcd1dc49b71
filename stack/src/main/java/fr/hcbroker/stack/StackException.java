package fr.hcbroker.stack;

/** The stack cannot start; the message is one line saying what and where. */
public class StackException extends RuntimeException {
    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
