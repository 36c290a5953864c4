package org.vtpmmigrate.cli;

/** Wrong arguments or malformed input; the message is the one line printed on stderr. */
public class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
