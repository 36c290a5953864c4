package org.vtpmmigrate.hypervisor.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.MigrationEpoch;

class EpochFileTest {
    @TempDir
    Path temp;

    @Test
    void roundTripLeavesNoTemporaryFile() throws Exception {
        Path file = temp.resolve("instance.json");
        EpochFile.write(file, new MigrationEpoch("vm-1", 41));
        EpochFile.write(file, new MigrationEpoch("vm-1", 42));
        assertEquals(new MigrationEpoch("vm-1", 42), EpochFile.read(file, "vm-1"));
        assertFalse(Files.exists(temp.resolve("instance.json.tmp")));
    }

    @Test
    void everyMalformationIsNamedWithItsField() throws Exception {
        assertRefused("{\"format\":\"vtpm-migrate.vtpm-epoch.v1\",\"instanceId\":\"vm-1\",\"epoch\":-1}", "epoch");
        assertRefused("{\"format\":\"vtpm-migrate.vtpm-epoch.v1\",\"instanceId\":\"vm-1\",\"epoch\":1.5}", "epoch");
        assertRefused("{\"format\":\"vtpm-migrate.vtpm-epoch.v1\",\"instanceId\":\"vm-1\",\"epoch\":\"1\"}",
                "epoch");
        assertRefused("{\"format\":\"vtpm-migrate.vtpm-epoch.v1\",\"instanceId\":\"vm-2\",\"epoch\":1}",
                "instanceId");
        assertRefused("{\"format\":\"other\",\"instanceId\":\"vm-1\",\"epoch\":1}", "format");
        assertRefused("{\"format\":\"vtpm-migrate.vtpm-epoch.v1\",\"instanceId\":\"vm-1\",\"epoch\":1,\"x\":0}",
                "(object)");
        assertRefused("{\"format\":\"vtpm-migrate.vtpm-epoch.v1\",\"instanceId\":\"vm-1\",\"epoch\":1} {}",
                "(document)");
        assertRefused("{'format':'vtpm-migrate.vtpm-epoch.v1','instanceId':'vm-1','epoch':1}", "(document)");
        assertRefused(" ".repeat(EpochFile.MAX_BYTES + 1), "(file)");
    }

    private void assertRefused(String content, String field) throws Exception {
        Path file = Files.writeString(temp.resolve("bad.json"), content);
        HypervisorException error = assertThrows(HypervisorException.class, () -> EpochFile.read(file, "vm-1"),
                content);
        assertTrue(error.getMessage().contains("field " + field), error.getMessage());
        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
    }

    @Test
    void epochsCompareOnlyWithinOneInstance() {
        MigrationEpoch three = new MigrationEpoch("vm-1", 3);
        assertTrue(three.isNewerThan(new MigrationEpoch("vm-1", 2)));
        assertFalse(three.isNewerThan(new MigrationEpoch("vm-1", 3)));
        assertFalse(three.isNewerThan(new MigrationEpoch("vm-1", 4)));
        assertEquals(new MigrationEpoch("vm-1", 4), three.next());
        assertThrows(IllegalArgumentException.class, () -> three.isNewerThan(new MigrationEpoch("vm-2", 1)));
        assertThrows(IllegalArgumentException.class, () -> new MigrationEpoch("../escape", 1));
        assertThrows(IllegalArgumentException.class, () -> new MigrationEpoch("vm-1", -1));
        assertThrows(ArithmeticException.class, () -> new MigrationEpoch("vm-1", Long.MAX_VALUE).next());
    }
}
