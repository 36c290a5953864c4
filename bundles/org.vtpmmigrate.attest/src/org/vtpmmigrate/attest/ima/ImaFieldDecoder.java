package org.vtpmmigrate.attest.ima;

import java.util.List;
import java.util.Optional;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.ima.internal.TemplateFields;

/**
 * Turns the fields of a known template, as bytes, into the entry's decoded fields and the
 * template data the kernel hashes. Both list formats end here, so a field means the same
 * whichever format it came from.
 */
final class ImaFieldDecoder {
    /** Largest digest of any algorithm (TPMU_HA / SHA-512). */
    static final int MAX_DIGEST_BYTES = 64;

    /** A field that does not have its template's structure. */
    static final class FieldException extends Exception {
        private static final long serialVersionUID = 1L;

        FieldException(String message) {
            super(message);
        }
    }

    record Decoded(ImaEntry.Fields fields, byte[] templateData) {
    }

    private ImaFieldDecoder() {
    }

    static Decoded decode(ImaTemplate template, List<byte[]> fields) throws FieldException {
        if (fields.size() != template.fieldIds().size()) {
            throw new FieldException(template.templateName() + " has " + template.fieldIds().size() + " fields, found "
                    + fields.size());
        }
        if (template == ImaTemplate.IMA) {
            byte[] digest = fields.get(0);
            byte[] name = fields.get(1);
            if (digest.length != TemplateFields.SHA1_SIZE) {
                throw new FieldException("ima template digest is " + digest.length + " bytes, not 20");
            }
            if (name.length > TemplateFields.IMA_EVENT_NAME_LEN_MAX) {
                throw new FieldException("ima template name is " + name.length + " bytes, more than the "
                        + TemplateFields.IMA_EVENT_NAME_LEN_MAX + " the template holds");
            }
            return new Decoded(new ImaEntry.Fields("sha1", digest, name, null, null),
                    TemplateFields.imaTemplateHashInput(digest, name));
        }
        TemplateFields.DigestField digest = TemplateFields.parseDigestNg(fields.get(0));
        if (digest == null) {
            throw new FieldException("d-ng field is not algorithm ':' NUL digest");
        }
        checkDigestLength(digest.algorithm(), digest.digest().length);
        byte[] name = TemplateFields.parseNameNg(fields.get(1));
        if (name == null) {
            throw new FieldException("n-ng field does not end with its only NUL");
        }
        byte[] signature = template == ImaTemplate.IMA_SIG ? fields.get(2) : null;
        byte[] buffer = template == ImaTemplate.IMA_BUF ? fields.get(2) : null;
        return new Decoded(new ImaEntry.Fields(digest.algorithm(), digest.digest(), name, signature, buffer),
                TemplateFields.join(fields));
    }

    static void checkDigestLength(String algorithm, int length) throws FieldException {
        Optional<HashAlgorithm> known = ImaEntry.algorithmOf(algorithm);
        if (known.isPresent() && known.get().digestSize() != length) {
            throw new FieldException(algorithm + " digest is " + length + " bytes, not " + known.get().digestSize());
        }
        if (length < 1 || length > MAX_DIGEST_BYTES) {
            throw new FieldException(algorithm + " digest is " + length + " bytes, outside 1.." + MAX_DIGEST_BYTES);
        }
    }
}
