package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vtpmmigrate.hypervisor.HypervisorException;

/**
 * Deletes a directory tree after overwriting every regular file in it with random bytes of the
 * file's length and forcing them to disk.
 *
 * <p>The whole tree is checked before anything is changed: the target must lie strictly inside the
 * configured root (after resolving symbolic links in its parents), and the tree must contain only
 * directories, regular files with a single link, sockets and FIFOs. A symbolic link or a hard-linked
 * file is refused, because overwriting through it would destroy data outside the tree.
 *
 * <p>Overwriting in place is best-effort. SSD wear levelling, copy-on-write filesystems (btrfs,
 * ZFS), data journaling, snapshots and backups may all keep the old blocks.
 */
final class SecureDelete {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFIFO = 0010000;
    private static final int CHUNK = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SecureDelete() {
    }

    /**
     * Overwrites and deletes {@code target} and everything under it.
     *
     * @param root the directory everything deleted must be inside of (never itself deleted)
     * @throws HypervisorException the target is outside {@code root}, is or contains a symbolic link,
     *     a hard-linked file or a device, or an I/O operation failed (the path is named)
     */
    public static void deleteTree(Path root, Path target) throws HypervisorException {
        Path inside = requireInside(root, target);
        List<Path> files = new ArrayList<>();
        List<Path> others = new ArrayList<>();
        List<Path> directories = new ArrayList<>();
        scan(inside, files, others, directories);
        for (Path file : files) {
            overwrite(file);
        }
        try {
            for (Path path : files) {
                Files.delete(path);
            }
            for (Path path : others) {
                Files.delete(path);
            }
            for (Path directory : directories) {
                Files.delete(directory); // post-order: children first
            }
            EpochFile.syncDirectory(inside.getParent());
        } catch (IOException e) {
            throw new HypervisorException("secure delete of " + inside + " failed while deleting: " + e, e);
        }
    }

    private static Path requireInside(Path root, Path target) throws HypervisorException {
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            throw new HypervisorException("secure delete: root " + root + " is not accessible: " + e.getMessage(), e);
        }
        Path absolute = target.toAbsolutePath().normalize();
        if (absolute.getParent() == null || absolute.getFileName() == null) {
            throw new HypervisorException("secure delete refused: " + absolute + " has no parent directory");
        }
        Path resolved;
        try {
            resolved = absolute.getParent().toRealPath().resolve(absolute.getFileName());
        } catch (IOException e) {
            throw new HypervisorException("secure delete: parent of " + absolute + " is not accessible: "
                    + e.getMessage(), e);
        }
        if (!resolved.startsWith(realRoot) || resolved.equals(realRoot)) {
            throw new HypervisorException("secure delete refused: " + absolute + " is not inside the root "
                    + realRoot);
        }
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
            throw new HypervisorException("secure delete: " + resolved + " does not exist");
        }
        return resolved;
    }

    private static void scan(Path top, List<Path> files, List<Path> others, List<Path> directories)
            throws HypervisorException {
        try {
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    classify(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    int type = classify(file);
                    (type == S_IFREG ? files : others).add(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null) {
                        throw failure;
                    }
                    directories.add(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (RefusedEntry e) {
            throw new HypervisorException("secure delete of " + top + " refused: " + e.getMessage());
        } catch (IOException e) {
            throw new HypervisorException("secure delete of " + top + " failed while scanning: " + e, e);
        }
    }

    /** Returns the file type bits, refusing entries that must not be overwritten or followed. */
    private static int classify(Path path) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(path, "unix:mode,nlink", LinkOption.NOFOLLOW_LINKS);
        int type = (Integer) attributes.get("mode") & S_IFMT;
        int links = (Integer) attributes.get("nlink");
        switch (type) {
            case S_IFLNK:
                throw new RefusedEntry(path + " is a symbolic link");
            case S_IFREG:
                if (links != 1) {
                    throw new RefusedEntry(path + " has " + links + " hard links");
                }
                return type;
            case S_IFDIR:
            case S_IFSOCK:
            case S_IFIFO:
                return type;
            default:
                throw new RefusedEntry(path + " is a device or unknown file type (mode "
                        + Integer.toOctalString(type) + ")");
        }
    }

    private static void overwrite(Path file) throws HypervisorException {
        // NOFOLLOW_LINKS: a file swapped for a link after the scan makes the open fail, not follow.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            long length = channel.size();
            byte[] random = new byte[(int) Math.min(CHUNK, Math.max(length, 1))];
            long position = 0;
            while (position < length) {
                int n = (int) Math.min(random.length, length - position);
                RANDOM.nextBytes(random);
                ByteBuffer buffer = ByteBuffer.wrap(random, 0, n);
                while (buffer.hasRemaining()) {
                    position += channel.write(buffer, position);
                }
            }
            channel.force(true);
        } catch (NoSuchFileException e) {
            throw new HypervisorException("secure delete: " + file + " vanished before it was overwritten", e);
        } catch (IOException e) {
            throw new HypervisorException("secure delete: overwriting " + file + " failed: " + e, e);
        }
    }

    /** Carries a refusal out of the file visitor. */
    private static final class RefusedEntry extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedEntry(String message) {
            super(message);
        }
    }
}
