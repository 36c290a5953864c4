package org.vtpmmigrate.protocol;

import java.util.Optional;
import org.vtpmmigrate.protocol.wire.MessageType;

/**
 * Key exchange, key derivation and record protection, negotiated as one id. Both suites use the
 * TPM-bound ECDH P-256 key and HKDF-SHA256; they differ in the AES key length. Hosts allow only
 * {@link #ECDH_P256_HKDF_SHA256_AES_256_GCM} unless configured otherwise.
 */
public enum CipherSuite {
    ECDH_P256_HKDF_SHA256_AES_256_GCM(0x0001, 32),
    ECDH_P256_HKDF_SHA256_AES_128_GCM(0x0002, 16);

    private final int id;
    private final int aesKeyLength;

    CipherSuite(int id, int aesKeyLength) {
        this.id = id;
        this.aesKeyLength = aesKeyLength;
    }

    /** The u16 on the wire. */
    public int id() {
        return id;
    }

    /** AES key length in bytes. */
    public int aesKeyLength() {
        return aesKeyLength;
    }

    public static Optional<CipherSuite> fromId(int id) {
        for (CipherSuite s : values()) {
            if (s.id == id) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Id and name when known, e.g. {@code 0x0001 ECDH_P256_HKDF_SHA256_AES_256_GCM}. */
    public static String describe(int id) {
        return MessageType.hex(id) + fromId(id).map(s -> " " + s.name()).orElse(" (unknown)");
    }
}
