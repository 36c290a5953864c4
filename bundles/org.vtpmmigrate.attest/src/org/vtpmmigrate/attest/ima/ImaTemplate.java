package org.vtpmmigrate.attest.ima;

import java.util.List;
import java.util.Optional;

/**
 * The IMA templates whose fields this package decodes (kernel {@code ima_template.c}). Entries
 * of other templates are kept with their raw template data.
 */
public enum ImaTemplate {
    /** The original template: SHA-1 (or padded MD5) file digest and a name of at most 255 bytes. */
    IMA("ima", List.of("d", "n")),
    /** Digest with algorithm name, and name of any length. */
    IMA_NG("ima-ng", List.of("d-ng", "n-ng")),
    /** ima-ng plus the file's security.ima signature (may be empty). */
    IMA_SIG("ima-sig", List.of("d-ng", "n-ng", "sig")),
    /** ima-ng plus a measured buffer (keys, kexec command line, critical data). */
    IMA_BUF("ima-buf", List.of("d-ng", "n-ng", "buf"));

    private final String templateName;
    private final List<String> fieldIds;

    ImaTemplate(String templateName, List<String> fieldIds) {
        this.templateName = templateName;
        this.fieldIds = fieldIds;
    }

    /** The name as it appears in the list, e.g. {@code ima-ng}. */
    public String templateName() {
        return templateName;
    }

    /** The kernel's field identifiers, in order. */
    public List<String> fieldIds() {
        return fieldIds;
    }

    public static Optional<ImaTemplate> fromName(String name) {
        for (ImaTemplate t : values()) {
            if (t.templateName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
