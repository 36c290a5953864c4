package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Directories readable only by their owner. Run directories hold the QMP, vTPM control and migration
 * sockets: whoever can connect to those controls the VM or injects a migration stream.
 */
final class PrivateDirectories {
    private PrivateDirectories() {
    }

    /** Creates {@code directory} (and missing parents) with mode 0700; refuses a symbolic link. */
    static Path create(Path directory) throws IOException {
        if (Files.isSymbolicLink(directory)) {
            throw new IOException(directory + " is a symbolic link");
        }
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return directory;
    }
}
