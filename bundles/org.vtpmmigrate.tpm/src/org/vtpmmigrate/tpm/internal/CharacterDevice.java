package org.vtpmmigrate.tpm.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.vtpmmigrate.tpm.TpmException;

/**
 * A Linux TPM character device (/dev/tpmrm0, /dev/tpm0): one write per command, then reads until
 * the whole response is in. Each read asks for the full buffer, because older kernels drop the
 * rest of a response after a short read. Command timeouts are the kernel driver's.
 */
final class CharacterDevice extends FramedTpmDevice {

    private final Path path;
    private FileChannel channel;

    CharacterDevice(Path path, int maxResponseBytes) {
        super("TPM device " + path, maxResponseBytes);
        this.path = path;
    }

    @Override
    void open() throws IOException {
        if (!Files.exists(path)) {
            throw new IOException(path + " does not exist (is the TPM driver loaded?)");
        }
        if (Files.isDirectory(path) || Files.isRegularFile(path)) {
            throw new IOException(path + " is not a character device");
        }
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new IOException("no read/write permission on " + path + " (is this user in the device's group, such"
                    + " as tss?)", e);
        }
    }

    @Override
    void writeFrame(byte[] command) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(command);
        int written = channel.write(buffer);
        if (written != command.length) {
            // The TPM driver takes a command in one write; a partial write leaves it half-sent.
            throw fail(TpmException.Kind.TRANSPORT, description() + " accepted " + written + " of "
                    + command.length + " command bytes", null);
        }
    }

    @Override
    byte[] readFrame(int maxResponseBytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(maxResponseBytes);
        int expected = -1;
        while (expected < 0 || buffer.position() < expected) {
            int read = channel.read(buffer);
            if (read < 0) {
                throw fail(TpmException.Kind.TRANSPORT, description() + " ended after " + buffer.position()
                        + " response bytes", null);
            }
            if (expected < 0 && buffer.position() >= HEADER_SIZE) {
                expected = announcedSize(buffer.array());
            }
        }
        if (buffer.position() != expected) {
            throw fail(TpmException.Kind.MALFORMED_RESPONSE, description() + " returned " + buffer.position()
                    + " bytes for a response announcing " + expected, null);
        }
        byte[] response = new byte[expected];
        System.arraycopy(buffer.array(), 0, response, 0, expected);
        return response;
    }

    @Override
    void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing more can go wrong with a device that is being abandoned.
            }
        }
    }
}
