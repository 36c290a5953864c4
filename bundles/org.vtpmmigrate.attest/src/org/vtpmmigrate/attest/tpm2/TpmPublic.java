package org.vtpmmigrate.attest.tpm2;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.tpm2.internal.TpmConstants;
import org.vtpmmigrate.attest.tpm2.internal.TpmReader;
import org.vtpmmigrate.attest.tpm2.internal.TpmWriter;

/**
 * A decoded TPMT_PUBLIC (TPM 2.0 Part 2 §12.2.4): the public area of a TPM object. Keeps the
 * exact bytes it was decoded from, because the object's TPM name is a hash over them.
 * Immutable.
 */
public final class TpmPublic {

    /** TPMI_ALG_PUBLIC. */
    public enum Type {
        RSA(TpmConstants.TPM_ALG_RSA),
        KEYEDHASH(TpmConstants.TPM_ALG_KEYEDHASH),
        ECC(TpmConstants.TPM_ALG_ECC),
        SYMCIPHER(TpmConstants.TPM_ALG_SYMCIPHER);

        private final int tpmAlgId;

        Type(int tpmAlgId) {
            this.tpmAlgId = tpmAlgId;
        }

        public int tpmAlgId() {
            return tpmAlgId;
        }
    }

    /** Block ciphers allowed in TPMT_SYM_DEF_OBJECT. */
    public enum SymmetricAlgorithm {
        AES(TpmConstants.TPM_ALG_AES), SM4(TpmConstants.TPM_ALG_SM4), CAMELLIA(TpmConstants.TPM_ALG_CAMELLIA);

        private final int tpmAlgId;

        SymmetricAlgorithm(int tpmAlgId) {
            this.tpmAlgId = tpmAlgId;
        }

        public int tpmAlgId() {
            return tpmAlgId;
        }
    }

    /** TPMI_ALG_SYM_MODE; NULL leaves the mode to the command. */
    public enum CipherMode {
        CTR(0x0040), OFB(0x0041), CBC(0x0042), CFB(0x0043), ECB(0x0044), NULL(TpmConstants.TPM_ALG_NULL);

        private final int tpmAlgId;

        CipherMode(int tpmAlgId) {
            this.tpmAlgId = tpmAlgId;
        }

        public int tpmAlgId() {
            return tpmAlgId;
        }
    }

    /** TPMT_SYM_DEF_OBJECT when not TPM_ALG_NULL: the symmetric algorithm of a storage key. */
    public record Symmetric(SymmetricAlgorithm algorithm, int keyBits, CipherMode mode) {
    }

    /** A scheme selection (TPMT_RSA_SCHEME, TPMT_ECC_SCHEME, TPMT_KEYEDHASH_SCHEME, TPMT_KDF_SCHEME). */
    public record Scheme(TpmScheme scheme, HashAlgorithm hash) {
        public static final Scheme NULL = new Scheme(TpmScheme.NULL, null);

        @Override
        public String toString() {
            return hash == null ? scheme.name() : scheme.name() + "-" + hash.bankName();
        }
    }

    /** Type-specific parameters and unique field. */
    public sealed interface Details permits RsaDetails, EccDetails, KeyedHashDetails, SymCipherDetails {
    }

    /**
     * RSA parameters; {@code symmetric} is null for non-storage keys. {@code modulus} is empty in
     * a template. {@code exponent} 0 means the default 65537.
     */
    public record RsaDetails(Symmetric symmetric, Scheme scheme, int keyBits, long exponent, byte[] modulus)
            implements Details {
        @Override
        public byte[] modulus() {
            return modulus.clone();
        }
    }

    /** ECC parameters; coordinates are empty in a template. */
    public record EccDetails(Symmetric symmetric, Scheme scheme, EccCurve curve, Scheme kdf, byte[] x, byte[] y)
            implements Details {
        @Override
        public byte[] x() {
            return x.clone();
        }

        @Override
        public byte[] y() {
            return y.clone();
        }
    }

    /** Keyed-hash object (HMAC key or sealed data); {@code unique} binds the sensitive part. */
    public record KeyedHashDetails(Scheme scheme, byte[] unique) implements Details {
        @Override
        public byte[] unique() {
            return unique.clone();
        }
    }

    public record SymCipherDetails(Symmetric symmetric, byte[] unique) implements Details {
        @Override
        public byte[] unique() {
            return unique.clone();
        }
    }

    private final byte[] encoded;
    private final Type type;
    private final HashAlgorithm nameAlg;
    private final Set<ObjectAttribute> attributes;
    private final byte[] authPolicy;
    private final Details details;

    private TpmPublic(byte[] encoded, Type type, HashAlgorithm nameAlg, Set<ObjectAttribute> attributes,
            byte[] authPolicy, Details details) {
        this.encoded = encoded;
        this.type = type;
        this.nameAlg = nameAlg;
        this.attributes = attributes;
        this.authPolicy = authPolicy;
        this.details = details;
    }

    /** Decodes a bare TPMT_PUBLIC; the whole input must be consumed. */
    public static TpmPublic parse(byte[] tpmtPublic) throws TpmFormatException {
        Objects.requireNonNull(tpmtPublic, "tpmtPublic");
        if (tpmtPublic.length > TpmConstants.MAX_PUBLIC) {
            throw new TpmFormatException("TPMT_PUBLIC", 0, tpmtPublic.length + " bytes exceed the maximum "
                    + TpmConstants.MAX_PUBLIC);
        }
        TpmReader r = TpmReader.of(tpmtPublic, "TPMT_PUBLIC");
        TpmPublic p = read(r);
        r.expectEnd();
        return p;
    }

    /** Decodes a TPM2B_PUBLIC (size-prefixed TPMT_PUBLIC), the form tpm2-tools writes with {@code -u}. */
    public static TpmPublic parseTpm2b(byte[] tpm2bPublic) throws TpmFormatException {
        Objects.requireNonNull(tpm2bPublic, "tpm2bPublic");
        TpmReader outer = TpmReader.of(tpm2bPublic, "TPM2B_PUBLIC");
        TpmPublic p = readTpm2b(outer);
        outer.expectEnd();
        return p;
    }

    /** Reads a TPM2B_PUBLIC at the reader's position (size must match the TPMT_PUBLIC exactly). */
    static TpmPublic readTpm2b(TpmReader outer) throws TpmFormatException {
        TpmReader inner = outer.sized("publicArea", TpmConstants.MAX_PUBLIC, outer.structure() + ".publicArea");
        if (inner.remaining() == 0) {
            throw inner.error("type", "empty TPM2B_PUBLIC");
        }
        TpmPublic p = read(inner);
        inner.expectEnd();
        return p;
    }

    /** Reads one TPMT_PUBLIC at the reader's position. */
    static TpmPublic read(TpmReader r) throws TpmFormatException {
        int start = r.offset();
        int typeAt = r.offset();
        int typeId = r.u16("type");
        Type type = null;
        for (Type t : Type.values()) {
            if (t.tpmAlgId == typeId) {
                type = t;
            }
        }
        if (type == null) {
            throw r.errorAt("type", typeAt, "unknown object type " + TpmConstants.hex16(typeId));
        }
        HashAlgorithm nameAlg = readHash(r, "nameAlg");
        int attrAt = r.offset();
        long bits = r.u32("objectAttributes");
        if ((bits & ObjectAttribute.RESERVED_MASK) != 0) {
            throw r.errorAt("objectAttributes", attrAt,
                    String.format("reserved bits set: 0x%08x", bits & ObjectAttribute.RESERVED_MASK));
        }
        Set<ObjectAttribute> attributes = ObjectAttribute.fromBits(bits);
        int policyAt = r.offset();
        byte[] authPolicy = r.tpm2b("authPolicy", TpmConstants.MAX_DIGEST);
        if (authPolicy.length != 0 && authPolicy.length != nameAlg.digestSize()) {
            throw r.errorAt("authPolicy", policyAt, "size " + authPolicy.length + " is neither 0 nor the "
                    + nameAlg.bankName() + " digest size " + nameAlg.digestSize());
        }
        Details details = switch (type) {
            case RSA -> readRsa(r);
            case ECC -> readEcc(r);
            case KEYEDHASH -> readKeyedHash(r);
            case SYMCIPHER -> readSymCipher(r);
        };
        byte[] encoded = r.slice(start, r.offset());
        return new TpmPublic(encoded, type, nameAlg, attributes, authPolicy, details);
    }

    private static HashAlgorithm readHash(TpmReader r, String field) throws TpmFormatException {
        int at = r.offset();
        int id = r.u16(field);
        return HashAlgorithm.fromTpmAlgId(id)
                .orElseThrow(() -> r.errorAt(field, at, "unsupported hash algorithm " + TpmConstants.hex16(id)));
    }

    private static Symmetric readSymmetric(TpmReader r, String field) throws TpmFormatException {
        int at = r.offset();
        int alg = r.u16(field + ".algorithm");
        if (alg == TpmConstants.TPM_ALG_NULL) {
            return null;
        }
        SymmetricAlgorithm sa = null;
        for (SymmetricAlgorithm s : SymmetricAlgorithm.values()) {
            if (s.tpmAlgId == alg) {
                sa = s;
            }
        }
        if (sa == null) {
            throw r.errorAt(field + ".algorithm", at, "unsupported symmetric algorithm " + TpmConstants.hex16(alg));
        }
        int bitsAt = r.offset();
        int keyBits = r.u16(field + ".keyBits");
        if (keyBits != 128 && keyBits != 192 && keyBits != 256) {
            throw r.errorAt(field + ".keyBits", bitsAt, "unsupported key size " + keyBits);
        }
        int modeAt = r.offset();
        int modeId = r.u16(field + ".mode");
        CipherMode mode = null;
        for (CipherMode m : CipherMode.values()) {
            if (m.tpmAlgId == modeId) {
                mode = m;
            }
        }
        if (mode == null) {
            throw r.errorAt(field + ".mode", modeAt, "unknown cipher mode " + TpmConstants.hex16(modeId));
        }
        return new Symmetric(sa, keyBits, mode);
    }

    private static Scheme readScheme(TpmReader r, String field, Set<TpmScheme> allowed) throws TpmFormatException {
        int at = r.offset();
        int id = r.u16(field + ".scheme");
        TpmScheme s = TpmScheme.fromTpmAlgId(id)
                .orElseThrow(() -> r.errorAt(field + ".scheme", at, "unknown scheme " + TpmConstants.hex16(id)));
        if (!allowed.contains(s)) {
            throw r.errorAt(field + ".scheme", at, "scheme " + s + " is not allowed here");
        }
        if (!s.hasHash()) {
            return s == TpmScheme.NULL ? Scheme.NULL : new Scheme(s, null);
        }
        HashAlgorithm hash = readHash(r, field + ".hashAlg");
        if (s == TpmScheme.ECDAA) {
            r.u16(field + ".count");
        } else if (s == TpmScheme.XOR) {
            // the KDF of an XOR obfuscation scheme; not needed for anything verified here
            r.u16(field + ".kdf");
        }
        return new Scheme(s, hash);
    }

    private static RsaDetails readRsa(TpmReader r) throws TpmFormatException {
        Symmetric sym = readSymmetric(r, "parameters.symmetric");
        Scheme scheme = readScheme(r, "parameters.scheme",
                EnumSet.of(TpmScheme.NULL, TpmScheme.RSASSA, TpmScheme.RSAPSS, TpmScheme.RSAES, TpmScheme.OAEP));
        int bitsAt = r.offset();
        int keyBits = r.u16("parameters.keyBits");
        if (keyBits != 1024 && keyBits != 2048 && keyBits != 3072 && keyBits != 4096) {
            throw r.errorAt("parameters.keyBits", bitsAt, "unsupported RSA key size " + keyBits);
        }
        long exponent = r.u32("parameters.exponent");
        int modAt = r.offset();
        byte[] modulus = r.tpm2b("unique.rsa", TpmConstants.MAX_RSA_KEY_BYTES);
        if (modulus.length != 0 && modulus.length != keyBits / 8) {
            throw r.errorAt("unique.rsa", modAt, "modulus has " + modulus.length + " bytes, keyBits " + keyBits
                    + " needs " + keyBits / 8);
        }
        return new RsaDetails(sym, scheme, keyBits, exponent, modulus);
    }

    private static EccDetails readEcc(TpmReader r) throws TpmFormatException {
        Symmetric sym = readSymmetric(r, "parameters.symmetric");
        Scheme scheme = readScheme(r, "parameters.scheme", EnumSet.of(TpmScheme.NULL, TpmScheme.ECDSA, TpmScheme.ECDH,
                TpmScheme.ECDAA, TpmScheme.SM2, TpmScheme.ECSCHNORR, TpmScheme.ECMQV));
        int curveAt = r.offset();
        int curveId = r.u16("parameters.curveID");
        EccCurve curve = EccCurve.fromTpmCurveId(curveId)
                .orElseThrow(() -> r.errorAt("parameters.curveID", curveAt, "unsupported curve " + TpmConstants.hex16(curveId)));
        Scheme kdf = readScheme(r, "parameters.kdf", EnumSet.of(TpmScheme.NULL, TpmScheme.MGF1,
                TpmScheme.KDF1_SP800_56A, TpmScheme.KDF2, TpmScheme.KDF1_SP800_108));
        int pointAt = r.offset();
        byte[] x = r.tpm2b("unique.ecc.x", TpmConstants.MAX_ECC_KEY_BYTES);
        byte[] y = r.tpm2b("unique.ecc.y", TpmConstants.MAX_ECC_KEY_BYTES);
        if (x.length != 0 || y.length != 0) {
            if (x.length == 0 || y.length == 0 || x.length > curve.coordinateSize() || y.length > curve.coordinateSize()) {
                throw r.errorAt("unique.ecc", pointAt, "coordinates of " + x.length + " and " + y.length
                        + " bytes do not fit " + curve);
            }
            if (!curve.contains(new BigInteger(1, x), new BigInteger(1, y))) {
                throw r.errorAt("unique.ecc", pointAt, "point is not on curve " + curve);
            }
        }
        return new EccDetails(sym, scheme, curve, kdf, x, y);
    }

    private static KeyedHashDetails readKeyedHash(TpmReader r) throws TpmFormatException {
        Scheme scheme = readScheme(r, "parameters.scheme", EnumSet.of(TpmScheme.NULL, TpmScheme.HMAC, TpmScheme.XOR));
        byte[] unique = r.tpm2b("unique.keyedHash", TpmConstants.MAX_DIGEST);
        return new KeyedHashDetails(scheme, unique);
    }

    private static SymCipherDetails readSymCipher(TpmReader r) throws TpmFormatException {
        int at = r.offset();
        Symmetric sym = readSymmetric(r, "parameters.sym");
        if (sym == null) {
            throw r.errorAt("parameters.sym", at, "a SYMCIPHER object needs a symmetric algorithm");
        }
        byte[] unique = r.tpm2b("unique.sym", TpmConstants.MAX_DIGEST);
        return new SymCipherDetails(sym, unique);
    }

    public Type type() {
        return type;
    }

    public HashAlgorithm nameAlg() {
        return nameAlg;
    }

    public Set<ObjectAttribute> attributes() {
        return attributes;
    }

    public boolean has(ObjectAttribute a) {
        return attributes.contains(a);
    }

    /** The policy digest that authorises use of the object; empty when no policy is set. */
    public byte[] authPolicy() {
        return authPolicy.clone();
    }

    public Details details() {
        return details;
    }

    /** The marshalled TPMT_PUBLIC exactly as decoded. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** TPM2B_PUBLIC form (size prefix), as tpm2-tools files and TPM commands carry it. */
    public byte[] encodedTpm2b() {
        return new TpmWriter().tpm2b(encoded).toByteArray();
    }

    /** The object's name: nameAlg (2 bytes) || H_nameAlg(TPMT_PUBLIC) (Part 1 §16). */
    public byte[] name() {
        byte[] digest = nameAlg.digest(encoded);
        return new TpmWriter().u16(nameAlg.tpmAlgId()).bytes(digest).toByteArray();
    }

    /** The JDK key for an RSA or ECC object with a unique field. */
    public PublicKey toPublicKey() throws InvalidKeyException {
        try {
            if (details instanceof RsaDetails rsa) {
                if (rsa.modulus.length == 0) {
                    throw new InvalidKeyException("RSA public area has no modulus (a template?)");
                }
                BigInteger e = BigInteger.valueOf(rsa.exponent == 0 ? 65537 : rsa.exponent);
                return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(new BigInteger(1, rsa.modulus), e));
            }
            if (details instanceof EccDetails ecc) {
                if (ecc.x.length == 0) {
                    throw new InvalidKeyException("ECC public area has no point (a template?)");
                }
                return KeyFactory.getInstance("EC").generatePublic(
                        new ECPublicKeySpec(ecc.curve.point(ecc.x, ecc.y), ecc.curve.parameterSpec()));
            }
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new InvalidKeyException("cannot build a JDK key from the public area: " + e.getMessage(), e);
        }
        throw new InvalidKeyException("a " + type + " object has no asymmetric public key");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TpmPublic other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "TpmPublic[" + type + ", nameAlg=" + nameAlg.bankName() + ", " + ObjectAttribute.format(attributes)
                + ", name=" + HexFormat.of().formatHex(name()) + "]";
    }

    /**
     * Why this public area cannot be an attestation key, or empty. Only a restricted signing key is
     * guaranteed to sign nothing but TPM-generated structures; fixedTPM keeps it in one TPM.
     */
    public Optional<String> attestationKeyProblem() {
        if (has(ObjectAttribute.RESTRICTED) && has(ObjectAttribute.SIGN_ENCRYPT) && has(ObjectAttribute.FIXED_TPM)
                && !has(ObjectAttribute.DECRYPT)) {
            return Optional.empty();
        }
        return Optional.of("AK attributes " + ObjectAttribute.format(attributes())
                + " do not make a restricted fixedtpm signing key (needs fixedtpm|restricted|sign, no decrypt)");
    }
}
