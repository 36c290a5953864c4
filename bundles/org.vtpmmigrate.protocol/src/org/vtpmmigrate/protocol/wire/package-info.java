/**
 * Protocol messages and their versioned binary frame format: {@link org.vtpmmigrate.protocol.wire.FrameCodec}
 * encodes and strictly decodes, {@link org.vtpmmigrate.protocol.wire.FrameInput} cuts a stream into
 * bounded frames, {@link org.vtpmmigrate.protocol.wire.MalformedFrameException} says what was wrong
 * and where.
 */
package org.vtpmmigrate.protocol.wire;
