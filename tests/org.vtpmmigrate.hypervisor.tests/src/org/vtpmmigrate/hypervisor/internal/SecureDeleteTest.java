package org.vtpmmigrate.hypervisor.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.hypervisor.HypervisorException;

class SecureDeleteTest {
    @TempDir
    Path temp;

    private Path root;
    private Path state;
    private byte[] secret;

    @BeforeEach
    void makeState() throws Exception {
        root = Files.createDirectories(temp.resolve("root"));
        state = Files.createDirectories(root.resolve("instance/state"));
        secret = new byte[100_000];
        Arrays.fill(secret, (byte) 0x5A);
        Files.write(state.resolve("tpm2-00.permall"), secret);
        Files.write(root.resolve("instance/instance.json"), new byte[] {'{', '}'});
        Files.createFile(state.resolve(".lock"));
    }

    @Test
    void contentIsOverwrittenBeforeTheFileIsRemoved() throws Exception {
        Path file = state.resolve("tpm2-00.permall");
        // an open descriptor keeps the inode readable after the name is gone: what is left in it?
        try (FileChannel stillOpen = FileChannel.open(file, StandardOpenOption.READ)) {
            SecureDelete.deleteTree(root, root.resolve("instance"));

            assertFalse(Files.exists(root.resolve("instance")), "instance directory still there");
            assertTrue(Files.isDirectory(root), "the root itself must stay");
            ByteBuffer left = ByteBuffer.allocate(secret.length);
            while (left.hasRemaining() && stillOpen.read(left) >= 0) {
                // read the whole former content
            }
            assertEquals(secret.length, left.position(), "length must be kept by the overwrite");
            byte[] after = left.array();
            int unchanged = 0;
            for (int i = 0; i < after.length; i++) {
                unchanged += after[i] == secret[i] ? 1 : 0;
            }
            // random bytes match a fixed byte about once in 256
            assertTrue(unchanged < secret.length / 100, unchanged + " of " + secret.length + " bytes unchanged");
        }
    }

    @Test
    void aSymbolicLinkInsideIsRefusedAndNothingIsTouched() throws Exception {
        Path outside = Files.write(temp.resolve("outside.txt"), secret);
        Files.createSymbolicLink(state.resolve("link"), outside);

        HypervisorException refused = assertThrows(HypervisorException.class,
                () -> SecureDelete.deleteTree(root, root.resolve("instance")));
        assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        assertArrayEquals(secret, Files.readAllBytes(outside), "link target modified");
        assertArrayEquals(secret, Files.readAllBytes(state.resolve("tpm2-00.permall")), "state touched anyway");
    }

    @Test
    void aSymbolicLinkAsTargetIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve("alias"), state);
        HypervisorException refused = assertThrows(HypervisorException.class,
                () -> SecureDelete.deleteTree(root, link));
        assertTrue(refused.getMessage().contains("symbolic link"), refused.getMessage());
        assertTrue(Files.exists(state.resolve("tpm2-00.permall")));
    }

    @Test
    void aHardLinkedFileIsRefused() throws Exception {
        Path outside = temp.resolve("hardlink-elsewhere");
        Files.createLink(outside, state.resolve("tpm2-00.permall"));
        HypervisorException refused = assertThrows(HypervisorException.class,
                () -> SecureDelete.deleteTree(root, root.resolve("instance")));
        assertTrue(refused.getMessage().contains("hard links"), refused.getMessage());
        assertArrayEquals(secret, Files.readAllBytes(outside));
    }

    @Test
    void pathsOutsideTheRootAreRefused() throws Exception {
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Files.write(elsewhere.resolve("data"), secret);

        HypervisorException refused = assertThrows(HypervisorException.class,
                () -> SecureDelete.deleteTree(root, elsewhere));
        assertTrue(refused.getMessage().contains("not inside the root"), refused.getMessage());
        assertThrows(HypervisorException.class, () -> SecureDelete.deleteTree(root, root.resolve("../elsewhere")));
        assertThrows(HypervisorException.class, () -> SecureDelete.deleteTree(root, root),
                "the root itself is not deletable");
        assertArrayEquals(secret, Files.readAllBytes(elsewhere.resolve("data")));
    }

    @Test
    void aRootReachedThroughASymbolicLinkedParentStillBindsTheCheck() throws Exception {
        Path rootAlias = Files.createSymbolicLink(temp.resolve("root-alias"), root);
        SecureDelete.deleteTree(rootAlias, rootAlias.resolve("instance"));
        assertFalse(Files.exists(root.resolve("instance")));
    }
}
