package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.tpm.internal.TssTpmConnection;

/**
 * swtpm has no resource manager: every leaked object or session stays until TPM_RC_OBJECT_MEMORY.
 * A thousand mixed operations, failing ones included, must leave nothing loaded.
 */
class HandleLeakTest {

    private static final int OPERATIONS = 1000;
    private static final int RECONNECT_EVERY = 100;
    private static final Pattern HANDLE = Pattern.compile("0x[0-9A-Fa-f]{8}");

    private final SecureRandom random = new SecureRandom();

    /**
     * One connection with its attestation key and one bound key open. swtpm holds three loaded
     * objects, and creating a bound key needs two (SRK and the new key): that is the budget.
     */
    private static final class Session {
        final TpmConnection tpm;
        final AttestationKey ak;
        BoundDecryptionKey bound;

        Session(TpmConnector connector, PcrSelection selection) throws TpmException {
            tpm = connector.connect();
            ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256);
            bound = tpm.createPcrBoundDecryptionKey(tpm.readPcrs(selection), BoundKeyPolicy.PCR_AND_ECDH_ZGEN);
        }

        Set<Integer> openKeyHandles() {
            return Set.of(ak.handle(), bound.handle());
        }
    }

    @Test
    void thousandMixedOperationsLeaveNoTransientObjectOrSession() throws Exception {
        try (SwtpmProcess swtpm = SwtpmProcess.start()) {
            TpmConnector connector = TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec()));
            PcrSelection selection = PcrSelection.of(PcrBank.SHA256, 16);
            byte[] secret = randomBytes(32);
            ToolMadeCredential credential = ToolMadeCredential.forEccAttestationKey(swtpm, secret);
            ECPoint peer = ((ECPublicKey) p256().generateKeyPair().getPublic()).getW();
            PcrValues staleValues = PcrValues.of(selection, Map.of(PcrBank.SHA256, Map.of(16, filled(32, (byte) 0x5A))));

            Session session = new Session(connector, selection);
            int failuresSeen = 0;
            try {
                for (int operation = 1; operation <= OPERATIONS; operation++) {
                    Session current = session;
                    TpmConnection tpm = current.tpm;
                    switch (operation % 5) {
                        case 0 -> tpm.quote(current.ak, randomBytes(32), selection);
                        case 1 -> {
                            current.bound.close();
                            current.bound = tpm.createPcrBoundDecryptionKey(tpm.readPcrs(selection),
                                    BoundKeyPolicy.PCR_ONLY);
                            tpm.certify(current.bound, current.ak, randomBytes(32));
                        }
                        case 2 -> assertEquals(32, tpm.ecdhZGen(current.bound, peer).length);
                        case 3 -> {
                            current.bound.close();
                            // Bound to a value PCR 16 does not hold: ZGen fails inside the policy session.
                            try (BoundDecryptionKey stale = tpm.createPcrBoundDecryptionKey(staleValues,
                                    BoundKeyPolicy.PCR_ONLY)) {
                                TpmException failure = assertThrows(TpmException.class,
                                        () -> tpm.ecdhZGen(stale, peer));
                                assertEquals("TPM_RC_VALUE", failure.responseCode().orElseThrow().name(),
                                        failure.getMessage());
                                failuresSeen++;
                            }
                            current.bound = tpm.createPcrBoundDecryptionKey(tpm.readPcrs(selection),
                                    BoundKeyPolicy.PCR_AND_ECDH_ZGEN);
                        }
                        default -> assertArrayEquals(secret,
                                tpm.activateCredential(current.ak, EkType.RSA_2048, credential.credentialBlob(),
                                        credential.encryptedSecret()));
                    }
                    assertEquals(current.openKeyHandles(), ((TssTpmConnection) tpm).loadedHandles(),
                            "loaded handles after operation " + operation);
                    if (operation % RECONNECT_EVERY == 0) {
                        // Keys left open on purpose: closing the connection must flush them.
                        tpm.close();
                        if (operation < OPERATIONS) {
                            session = new Session(connector, selection);
                        }
                    }
                }
            } finally {
                session.tpm.close();
            }
            assertEquals(OPERATIONS / 5, failuresSeen);

            assertEquals(List.of(), handles(swtpm, "handles-transient"), "transient objects left in the TPM");
            assertEquals(List.of(), handles(swtpm, "handles-loaded-session"), "sessions left in the TPM");
            assertEquals(List.of(), handles(swtpm, "handles-saved-session"), "saved sessions left in the TPM");
            assertTrue(handles(swtpm, "handles-persistent").contains("0x81010001"),
                    "the handle listing is read correctly (the persistent EK shows)");
        }
    }

    /** The handles {@code tpm2_getcap <capability>} lists, lower case and without duplicates. */
    static List<String> handles(SwtpmProcess swtpm, String capability) {
        String output = swtpm.runTool("tpm2_getcap", capability).requireSuccess().stdout();
        Set<String> found = new HashSet<>();
        Matcher matcher = HANDLE.matcher(output);
        while (matcher.find()) {
            found.add(matcher.group().toLowerCase());
        }
        return List.copyOf(found);
    }

    private static KeyPairGenerator p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator;
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
