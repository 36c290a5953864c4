package org.vtpmmigrate.management.internal;

/** JSON that cannot be read as the expected type; the message starts with the JSON path at fault. */
public final class JsonBindingException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String path;

    public JsonBindingException(String path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    /** Where in the document, e.g. {@code $.pcrSelection[0].bank}; {@code $} for the document itself. */
    public String path() {
        return path;
    }
}
