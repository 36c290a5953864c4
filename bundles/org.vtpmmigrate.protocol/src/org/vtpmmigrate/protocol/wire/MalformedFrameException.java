package org.vtpmmigrate.protocol.wire;

import java.util.Optional;

/**
 * A frame that cannot be accepted, with what was wrong and where: the kind of problem, the message
 * type and field when known, and the byte offset from the start of the frame.
 */
public final class MalformedFrameException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of problem the frame has. */
    public enum Problem {
        /** The first four bytes are not the protocol magic. */
        BAD_MAGIC,
        /** The version field names a version this implementation does not speak. */
        UNSUPPORTED_VERSION,
        /** The type field names no known message type. */
        UNKNOWN_TYPE,
        /** The length field exceeds the bound of the message type. */
        OVERSIZED,
        /** The frame ends before its header or body does. */
        TRUNCATED,
        /** A field is out of bounds or inconsistent. */
        INVALID_FIELD,
        /** Bytes remain after the last field of the body. */
        TRAILING_BYTES
    }

    private final Problem problem;
    private final MessageType messageType;
    private final String field;
    private final long offset;
    private final String detail;

    MalformedFrameException(Problem problem, MessageType messageType, String field, long offset, String detail) {
        super(format(messageType, field, offset, detail));
        this.problem = problem;
        this.messageType = messageType;
        this.field = field;
        this.offset = offset;
        this.detail = detail;
    }

    private static String format(MessageType type, String field, long offset, String detail) {
        if (type == null || field == null) {
            return detail + " (at offset " + offset + ")";
        }
        return type + "." + field + " at offset " + offset + ": " + detail;
    }

    public Problem problem() {
        return problem;
    }

    /** The message type from the header, when the header got that far. */
    public Optional<MessageType> messageType() {
        return Optional.ofNullable(messageType);
    }

    /** The field being read, when the problem is inside the body. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** Byte offset of the problem, counted from the first byte of the frame. */
    public long offset() {
        return offset;
    }

    /** The problem without location, e.g. {@code unsupported protocol version 3 (supported: 1)}. */
    public String detail() {
        return detail;
    }
}
