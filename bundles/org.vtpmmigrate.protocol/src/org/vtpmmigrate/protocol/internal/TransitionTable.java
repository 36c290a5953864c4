package org.vtpmmigrate.protocol.internal;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.wire.MessageType;

/**
 * The one table of allowed transitions. A message or local event not listed for the current state
 * is a violation; failures (to {@link SessionState#FAILED}) are allowed from every non-terminal
 * state and are not listed.
 */
public final class TransitionTable {
    /** Steps the local engine takes, as opposed to messages from the peer. */
    public enum LocalEvent {
        START, SEAL_RECORD, END_TRANSFER, LOCAL_COMMIT
    }

    /** What moves a session: exactly one of a received message type or a local event. */
    public record Trigger(MessageType message, LocalEvent event) {
        public Trigger {
            if ((message == null) == (event == null)) {
                throw new IllegalArgumentException("a trigger is a message type or a local event");
            }
        }

        public static Trigger on(MessageType type) {
            return new Trigger(Objects.requireNonNull(type), null);
        }

        public static Trigger on(LocalEvent event) {
            return new Trigger(null, Objects.requireNonNull(event));
        }

        @Override
        public String toString() {
            return message != null ? message.name() : "local " + event.name();
        }
    }

    private static final Map<Role, Map<SessionState, Map<Trigger, SessionState>>> TABLE = new EnumMap<>(Role.class);

    static {
        source(SessionState.NEW, Trigger.on(LocalEvent.START), SessionState.AWAIT_ACCEPT);
        source(SessionState.AWAIT_ACCEPT, Trigger.on(MessageType.MIGRATION_ACCEPT), SessionState.AWAIT_PEER_EVIDENCE);
        source(SessionState.AWAIT_PEER_EVIDENCE, Trigger.on(MessageType.ATTESTATION_EVIDENCE),
                SessionState.AWAIT_CHALLENGE);
        source(SessionState.AWAIT_CHALLENGE, Trigger.on(MessageType.ATTESTATION_CHALLENGE),
                SessionState.AWAIT_BOUND_KEY);
        source(SessionState.AWAIT_BOUND_KEY, Trigger.on(MessageType.BOUND_KEY_OFFER), SessionState.AWAIT_KEY_CONFIRM);
        source(SessionState.AWAIT_KEY_CONFIRM, Trigger.on(MessageType.KEY_CONFIRM), SessionState.TRANSFERRING);
        source(SessionState.TRANSFERRING, Trigger.on(LocalEvent.SEAL_RECORD), SessionState.TRANSFERRING);
        source(SessionState.TRANSFERRING, Trigger.on(LocalEvent.END_TRANSFER), SessionState.AWAIT_COMMIT);
        source(SessionState.AWAIT_COMMIT, Trigger.on(MessageType.COMMIT), SessionState.COMMITTED);

        destination(SessionState.AWAIT_REQUEST, Trigger.on(MessageType.MIGRATION_REQUEST),
                SessionState.AWAIT_CHALLENGE);
        destination(SessionState.AWAIT_CHALLENGE, Trigger.on(MessageType.ATTESTATION_CHALLENGE),
                SessionState.AWAIT_PEER_EVIDENCE);
        destination(SessionState.AWAIT_PEER_EVIDENCE, Trigger.on(MessageType.ATTESTATION_EVIDENCE),
                SessionState.AWAIT_KEY_EXCHANGE);
        destination(SessionState.AWAIT_KEY_EXCHANGE, Trigger.on(MessageType.KEY_EXCHANGE),
                SessionState.AWAIT_KEY_CONFIRM);
        destination(SessionState.AWAIT_KEY_CONFIRM, Trigger.on(MessageType.KEY_CONFIRM), SessionState.RECEIVING);
        destination(SessionState.RECEIVING, Trigger.on(MessageType.DATA_RECORD), SessionState.RECEIVING);
        destination(SessionState.RECEIVING, Trigger.on(MessageType.END_OF_STREAM), SessionState.STREAM_RECEIVED);
        destination(SessionState.STREAM_RECEIVED, Trigger.on(LocalEvent.LOCAL_COMMIT), SessionState.AWAIT_COMMIT_ACK);
        destination(SessionState.AWAIT_COMMIT_ACK, Trigger.on(MessageType.COMMIT_ACK), SessionState.COMMITTED);

        // the peer may abort from anywhere the run is still open
        for (Role role : Role.values()) {
            for (SessionState s : SessionState.values()) {
                if (s.isStateOf(role) && !s.isTerminal()) {
                    add(role, s, Trigger.on(MessageType.ABORT), SessionState.FAILED);
                }
            }
        }
    }

    private TransitionTable() {
    }

    private static void source(SessionState from, Trigger trigger, SessionState to) {
        add(Role.SOURCE, from, trigger, to);
    }

    private static void destination(SessionState from, Trigger trigger, SessionState to) {
        add(Role.DESTINATION, from, trigger, to);
    }

    private static void add(Role role, SessionState from, Trigger trigger, SessionState to) {
        if (!from.isStateOf(role) || !to.isStateOf(role)) {
            throw new IllegalStateException(from + " -> " + to + " is not a transition of the " + role);
        }
        TABLE.computeIfAbsent(role, r -> new EnumMap<>(SessionState.class))
                .computeIfAbsent(from, s -> new LinkedHashMap<>()).put(trigger, to);
    }

    /** The state {@code trigger} leads to from {@code from}, if the table allows it. */
    public static Optional<SessionState> next(Role role, SessionState from, Trigger trigger) {
        return Optional.ofNullable(transitions(role, from).get(trigger));
    }

    /** All allowed triggers from a state, in table order. */
    public static Map<Trigger, SessionState> transitions(Role role, SessionState from) {
        Map<Trigger, SessionState> m = TABLE.getOrDefault(role, Map.of()).get(from);
        return m == null ? Map.of() : Collections.unmodifiableMap(m);
    }

    /** What a state waits for, for error messages (Abort left out: always allowed). */
    static String expected(Role role, SessionState from) {
        StringBuilder s = new StringBuilder();
        for (Trigger t : transitions(role, from).keySet()) {
            if (t.message() == MessageType.ABORT) {
                continue;
            }
            if (s.length() > 0) {
                s.append(" or ");
            }
            s.append(t);
        }
        return s.length() == 0 ? "nothing" : s.toString();
    }
}
