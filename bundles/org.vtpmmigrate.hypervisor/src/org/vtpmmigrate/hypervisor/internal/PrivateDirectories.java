package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Directories readable only by their owner. Run directories hold the QMP, vTPM control and migration
 * sockets: whoever can connect to those controls the VM or injects a migration stream.
 */
final class PrivateDirectories {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private PrivateDirectories() {
    }

    /**
     * Creates {@code directory} (and missing parents) with mode 0700, or narrows an existing one to
     * 0700; refuses a symbolic link.
     */
    static Path create(Path directory) throws IOException {
        if (Files.isSymbolicLink(directory)) {
            throw new IOException(directory + " is a symbolic link");
        }
        if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(directory, OWNER_ONLY);
        } else {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        return directory;
    }
}
