package org.vtpmmigrate.protocol.wire;

/** The validated fixed part of a frame: version, type and body length. */
public record FrameHeader(int version, MessageType type, int bodyLength) {
    /** Total frame length, header included. */
    public int frameLength() {
        return FrameCodec.HEADER_LENGTH + bodyLength;
    }
}
