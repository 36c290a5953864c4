package org.vtpmmigrate.attest.tpm2;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.Objects;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.tpm2.internal.JcaNames;
import org.vtpmmigrate.attest.tpm2.internal.Kdf;
import org.vtpmmigrate.attest.tpm2.internal.TpmWriter;

/**
 * TPM2_MakeCredential in software (TPM 2.0 Part 1 §24 "Credential Protection"): wraps a secret
 * so that only the TPM holding the EK's private key can recover it, and only for an object
 * whose name is the given AK name. A fresh seed is protected with the EK (RSA-OAEP with label
 * "IDENTITY", or ECDH with an ephemeral key and KDFe); KDFa derives from it the symmetric key
 * (label "STORAGE", context = AK name) that encrypts the credential and the HMAC key (label
 * "INTEGRITY") that binds the ciphertext to the AK name. Thread-safe if the SecureRandom is.
 */
public final class CredentialMaker {
    private static final String IDENTITY = "IDENTITY";

    private final SecureRandom random;

    public CredentialMaker() {
        this(new SecureRandom());
    }

    public CredentialMaker(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * @param ek         the endorsement key's public area (a restricted decryption key with AES-CFB)
     * @param objectName the name of the key the credential is for (nameAlg || digest)
     * @param credential the secret, at most the EK nameAlg's digest size
     * @throws InvalidKeyException      if the EK is not a usable storage key
     * @throws IllegalArgumentException if name or credential have the wrong size
     */
    public IdentityCredential make(TpmPublic ek, byte[] objectName, byte[] credential) throws InvalidKeyException {
        Objects.requireNonNull(ek, "ek");
        Objects.requireNonNull(objectName, "objectName");
        Objects.requireNonNull(credential, "credential");
        HashAlgorithm nameAlg = ek.nameAlg();
        if (nameAlg == HashAlgorithm.SM3_256) {
            throw new InvalidKeyException("EK nameAlg SM3 is not supported");
        }
        if (!ek.has(ObjectAttribute.RESTRICTED) || !ek.has(ObjectAttribute.DECRYPT) || ek.has(ObjectAttribute.SIGN_ENCRYPT)) {
            throw new InvalidKeyException("EK must be a restricted decryption key, has " + ObjectAttribute.format(ek.attributes()));
        }
        TpmPublic.Symmetric sym = symmetricOf(ek);
        if (sym == null || sym.algorithm() != TpmPublic.SymmetricAlgorithm.AES || sym.mode() != TpmPublic.CipherMode.CFB) {
            throw new InvalidKeyException("EK symmetric algorithm must be AES-CFB, is " + sym);
        }
        requireValidName(objectName);
        if (credential.length == 0 || credential.length > nameAlg.digestSize()) {
            throw new IllegalArgumentException("credential of " + credential.length + " bytes; must be 1.."
                    + nameAlg.digestSize() + " (the EK nameAlg digest size)");
        }

        byte[] seed;
        byte[] encryptedSecret;
        if (ek.details() instanceof TpmPublic.RsaDetails) {
            seed = new byte[nameAlg.digestSize()];
            random.nextBytes(seed);
            encryptedSecret = rsaOaepEncrypt(ek.toPublicKey(), nameAlg, seed);
        } else if (ek.details() instanceof TpmPublic.EccDetails ecc) {
            EcdhSeed s = ecdhSeed(ek.toPublicKey(), ecc, nameAlg);
            seed = s.seed;
            encryptedSecret = s.ephemeralPoint;
        } else {
            throw new InvalidKeyException("EK must be RSA or ECC, is " + ek.type());
        }

        byte[] symKey = Kdf.kdfa(nameAlg, seed, "STORAGE", objectName, new byte[0], sym.keyBits());
        byte[] plain = new TpmWriter().tpm2b(credential).toByteArray();
        byte[] encIdentity = aesCfb(symKey, plain);
        byte[] hmacKey = Kdf.kdfa(nameAlg, seed, "INTEGRITY", new byte[0], new byte[0], nameAlg.digestSize() * 8);
        byte[] integrity = Kdf.hmac(nameAlg, hmacKey, encIdentity, objectName);
        return new IdentityCredential(integrity, encIdentity, encryptedSecret);
    }

    private static TpmPublic.Symmetric symmetricOf(TpmPublic ek) {
        if (ek.details() instanceof TpmPublic.RsaDetails rsa) {
            return rsa.symmetric();
        }
        if (ek.details() instanceof TpmPublic.EccDetails ecc) {
            return ecc.symmetric();
        }
        return null;
    }

    static void requireValidName(byte[] name) {
        if (name.length < 2) {
            throw new IllegalArgumentException("object name of " + name.length + " bytes is too short");
        }
        int alg = ((name[0] & 0xFF) << 8) | (name[1] & 0xFF);
        HashAlgorithm h = HashAlgorithm.fromTpmAlgId(alg).orElseThrow(
                () -> new IllegalArgumentException(String.format("object name starts with unknown hash 0x%04x", alg)));
        if (name.length != 2 + h.digestSize()) {
            throw new IllegalArgumentException("object name of " + name.length + " bytes; a " + h.bankName()
                    + " name has " + (2 + h.digestSize()));
        }
    }

    private static byte[] rsaOaepEncrypt(PublicKey ek, HashAlgorithm nameAlg, byte[] seed) throws InvalidKeyException {
        String md = JcaNames.digest(nameAlg);
        // The label includes its terminating zero (Part 1 §B.10.3).
        byte[] label = (IDENTITY + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
            c.init(Cipher.ENCRYPT_MODE, ek, new OAEPParameterSpec(md, "MGF1", new MGF1ParameterSpec(md),
                    new PSource.PSpecified(label)));
            return c.doFinal(seed);
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA-OAEP with " + md + " unavailable", e);
        }
    }

    private record EcdhSeed(byte[] seed, byte[] ephemeralPoint) {
    }

    private EcdhSeed ecdhSeed(PublicKey ek, TpmPublic.EccDetails ecc, HashAlgorithm nameAlg) throws InvalidKeyException {
        EccCurve curve = ecc.curve();
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve.jcaName()), random);
            KeyPair eph = g.generateKeyPair();
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(eph.getPrivate());
            ka.doPhase(ek, true);
            byte[] zx = ka.generateSecret();
            ECPublicKey ephPub = (ECPublicKey) eph.getPublic();
            byte[] ephX = curve.encodeCoordinate(ephPub.getW().getAffineX());
            byte[] ephY = curve.encodeCoordinate(ephPub.getW().getAffineY());
            // partyUInfo = ephemeral x, partyVInfo = the EK's x as stored in its public area
            byte[] seed = Kdf.kdfe(nameAlg, zx, IDENTITY, ephX, ecc.x(), nameAlg.digestSize() * 8);
            byte[] point = new TpmWriter().tpm2b(ephX).tpm2b(ephY).toByteArray();
            return new EcdhSeed(seed, point);
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDH on " + curve + " unavailable", e);
        }
    }

    private static byte[] aesCfb(byte[] key, byte[] plain) {
        try {
            // Full-block CFB with a zero IV: the key is used for this one message only.
            Cipher c = Cipher.getInstance("AES/CFB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
            return c.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CFB unavailable", e);
        }
    }
}
