package org.vtpmmigrate.tpm.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import org.vtpmmigrate.tpm.PcrBank;

/** Facts read straight from TPM2B_PUBLIC bytes: nameAlg, attributes, and the object's name. */
final class PublicAreas {

    static final int ATTRIBUTE_USER_WITH_AUTH = 0x00000040;

    private static final int SIZE_PREFIX = 2;

    private PublicAreas() {
    }

    /** TPMT_PUBLIC.nameAlg (offset 2 of the TPMT_PUBLIC). */
    static int nameAlg(byte[] tpm2bPublic) {
        requireLength(tpm2bPublic, SIZE_PREFIX + 8);
        return ((tpm2bPublic[SIZE_PREFIX + 2] & 0xFF) << 8) | (tpm2bPublic[SIZE_PREFIX + 3] & 0xFF);
    }

    /** TPMT_PUBLIC.objectAttributes (offset 4 of the TPMT_PUBLIC). */
    static int objectAttributes(byte[] tpm2bPublic) {
        requireLength(tpm2bPublic, SIZE_PREFIX + 8);
        return FramedTpmDevice.readUint32(tpm2bPublic, SIZE_PREFIX + 4);
    }

    /** The TPM name: nameAlg || H_nameAlg(TPMT_PUBLIC). */
    static byte[] name(byte[] tpm2bPublic) {
        int nameAlg = nameAlg(tpm2bPublic);
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(PcrBank.fromAlgorithmId(nameAlg).jcaName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform provides the SHA-1 and SHA-2 digests", e);
        }
        digest.update(tpm2bPublic, SIZE_PREFIX, tpm2bPublic.length - SIZE_PREFIX);
        byte[] hash = digest.digest();
        byte[] name = new byte[2 + hash.length];
        name[0] = (byte) (nameAlg >>> 8);
        name[1] = (byte) nameAlg;
        System.arraycopy(hash, 0, name, 2, hash.length);
        return name;
    }

    /** Whether the TPM's name for an object is the name of these public bytes. */
    static boolean nameMatches(byte[] tpm2bPublic, byte[] tpmName) {
        return Arrays.equals(name(tpm2bPublic), tpmName);
    }

    private static void requireLength(byte[] tpm2bPublic, int minimum) {
        if (tpm2bPublic.length < minimum) {
            throw new IllegalArgumentException("TPM2B_PUBLIC of " + tpm2bPublic.length + " bytes is too short");
        }
    }
}
