package org.vtpmmigrate.hypervisor;

/**
 * The QMP peer sent something that is not valid QMP: malformed JSON, an oversized message, an
 * unexpected reply. The connection is closed when this happens.
 */
public final class QmpProtocolException extends HypervisorException {
    private static final long serialVersionUID = 1L;

    private final long messageIndex;

    /**
     * @param messageIndex zero-based index of the offending message on the connection (the greeting
     *     is message 0)
     */
    public QmpProtocolException(long messageIndex, String problem) {
        super("QMP protocol violation at message #" + messageIndex + ": " + problem);
        this.messageIndex = messageIndex;
    }

    public long messageIndex() {
        return messageIndex;
    }
}
