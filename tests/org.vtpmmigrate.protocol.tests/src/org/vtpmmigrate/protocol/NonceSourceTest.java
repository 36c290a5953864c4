package org.vtpmmigrate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.fixtures.Expect;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.wire.Bytes;

class NonceSourceTest {
    /** A random source broken so that it repeats itself. */
    private static final class StuckRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;

        @Override
        public void nextBytes(byte[] bytes) {
            java.util.Arrays.fill(bytes, (byte) 0x42);
        }
    }

    @Test
    void noncesAreFreshAndRemembered() {
        NonceSource n = new NonceSource(new SecureRandom());
        Bytes a = n.next();
        Bytes b = n.next();
        assertEquals(32, a.length());
        assertNotEquals(a, b);
        assertTrue(n.issued(a));
        assertFalse(n.issued(Bytes.of(new byte[32])));
    }

    @Test
    void aRepeatingRandomSourceNeverYieldsTheSameNonceTwice() {
        NonceSource n = new NonceSource(new StuckRandom());
        n.next();
        assertThrows(IllegalStateException.class, n::next);
    }

    @Test
    void aRunWhoseNonceWouldRepeatFailsInsteadOfReusingIt() {
        Scenario s = new Scenario();
        NonceSource stuck = new NonceSource(new StuckRandom());
        SourceSession first = SourceSession.create(SourceConfig.builder().vm("vm-1", 1)
                .policy("p", Scenario.POLICY_DIGEST).destinationSelection(Scenario.SELECTION).attestor(s.sourceHost)
                .verifier(s.sourceConfig().verifier()).nonces(stuck).build());
        assertEquals(SessionState.AWAIT_ACCEPT, first.start().state());
        SourceSession second = SourceSession.create(SourceConfig.builder().vm("vm-1", 1)
                .policy("p", Scenario.POLICY_DIGEST).destinationSelection(Scenario.SELECTION).attestor(s.sourceHost)
                .verifier(s.sourceConfig().verifier()).nonces(stuck).build());
        Outcome o = second.start();
        assertTrue(o.messages().get(0) instanceof org.vtpmmigrate.protocol.wire.Abort, "only an Abort goes out");
        Expect.failed(second, FailureReason.LOCAL_ERROR, "a second time");
    }
}
