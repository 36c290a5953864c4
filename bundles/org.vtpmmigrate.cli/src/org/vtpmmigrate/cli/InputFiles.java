package org.vtpmmigrate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the files a command is given: size-checked before reading, failures as usage errors. */
final class InputFiles {
    /** Quotes, signatures, keys and PCR files are a few KiB at most. */
    static final int MAX_SMALL_FILE = 64 * 1024;

    private InputFiles() {
    }

    /** The bytes of a readable file of at most {@code limit} bytes. */
    static byte[] read(String name, int limit) throws UsageException {
        Path p = Arguments.readableFile(name);
        try {
            long size = Files.size(p);
            if (size > limit) {
                throw new UsageException(name + ": " + size + " bytes, more than the limit of " + limit);
            }
            try (InputStream in = Files.newInputStream(p)) {
                byte[] b = in.readNBytes(limit + 1);
                if (b.length > limit) {
                    throw new UsageException(name + ": grew beyond " + limit + " bytes while being read");
                }
                return b;
            }
        } catch (IOException e) {
            throw new UsageException(name + ": cannot read: " + e.getMessage(), e);
        }
    }
}
