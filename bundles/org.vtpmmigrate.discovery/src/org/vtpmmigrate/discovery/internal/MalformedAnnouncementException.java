package org.vtpmmigrate.discovery.internal;

/** A DNS-SD announcement that cannot be used; the message says which part is wrong and why. */
public final class MalformedAnnouncementException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedAnnouncementException(String message) {
        super(message);
    }
}
