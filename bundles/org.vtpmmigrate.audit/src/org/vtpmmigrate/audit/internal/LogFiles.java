package org.vtpmmigrate.audit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.vtpmmigrate.audit.AuditLogException;

/** Reads a whole log file, refusing anything but a regular file within the size limit. */
public final class LogFiles {
    private LogFiles() {
    }

    public static byte[] read(Path file, long maxBytes) throws AuditLogException {
        if (Files.isDirectory(file)) {
            throw new AuditLogException(file + ": is a directory, not a log file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // a FIFO or device could block or never end
            throw new AuditLogException(file + ": not a regular file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (data.length > maxBytes) {
                throw new AuditLogException(file + ": larger than the limit of " + maxBytes + " bytes");
            }
            return data;
        } catch (NoSuchFileException e) {
            throw new AuditLogException(file + ": no such file");
        } catch (IOException e) {
            throw new AuditLogException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Reads from the start of an open channel (the writer's, which holds the lock). */
    public static byte[] read(FileChannel channel, Path file, long maxBytes) throws AuditLogException {
        try {
            long size = channel.size();
            if (size > maxBytes) {
                throw new AuditLogException(file + ": larger than the limit of " + maxBytes + " bytes");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, buffer.position()) < 0) {
                    throw new AuditLogException(file + ": shrank while being read");
                }
            }
            return buffer.array();
        } catch (IOException e) {
            throw new AuditLogException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }
}
