package org.vtpmmigrate.protocol.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vtpmmigrate.protocol.DestinationSession;
import org.vtpmmigrate.protocol.FailureReason;
import org.vtpmmigrate.protocol.Outcome;
import org.vtpmmigrate.protocol.Role;
import org.vtpmmigrate.protocol.SessionState;
import org.vtpmmigrate.protocol.fixtures.Scenario;
import org.vtpmmigrate.protocol.internal.TransitionTable.Trigger;
import org.vtpmmigrate.protocol.wire.Abort;
import org.vtpmmigrate.protocol.wire.Bytes;
import org.vtpmmigrate.protocol.wire.KeyConfirm;
import org.vtpmmigrate.protocol.wire.MessageType;

class TransitionTableTest {

    private static Set<SessionState> reachable(Role role, SessionState initial) {
        Set<SessionState> seen = EnumSet.of(initial);
        ArrayDeque<SessionState> todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            for (SessionState next : TransitionTable.transitions(role, todo.poll()).values()) {
                if (seen.add(next)) {
                    todo.add(next);
                }
            }
        }
        return seen;
    }

    @Test
    void everyStateOfARoleIsReachableAndOnlyThose() {
        for (Role role : Role.values()) {
            SessionState initial = role == Role.SOURCE ? SessionState.NEW : SessionState.AWAIT_REQUEST;
            Set<SessionState> expected = EnumSet.noneOf(SessionState.class);
            for (SessionState st : SessionState.values()) {
                if (st.isStateOf(role)) {
                    expected.add(st);
                }
            }
            assertEquals(expected, reachable(role, initial), role.toString());
        }
    }

    @Test
    void terminalStatesHaveNoExitAndEveryOtherStateAcceptsAnAbort() {
        for (Role role : Role.values()) {
            for (SessionState st : SessionState.values()) {
                Map<Trigger, SessionState> t = TransitionTable.transitions(role, st);
                if (st.isTerminal() || !st.isStateOf(role)) {
                    assertTrue(t.isEmpty(), role + " " + st);
                } else {
                    assertEquals(SessionState.FAILED, t.get(Trigger.on(MessageType.ABORT)), role + " " + st);
                }
            }
        }
    }

    @Test
    void everyMessageTypeIsReceivedBySomeRole() {
        Set<MessageType> received = EnumSet.noneOf(MessageType.class);
        for (Role role : Role.values()) {
            for (SessionState st : SessionState.values()) {
                TransitionTable.transitions(role, st).keySet().stream().map(Trigger::message)
                        .filter(java.util.Objects::nonNull).forEach(received::add);
            }
        }
        assertEquals(EnumSet.allOf(MessageType.class), received);
    }

    @Test
    void aMessageOutsideTheTableFailsTheRunWithAnAbortNamingStateAndExpectation() {
        DestinationSession d = new Scenario().newDestination();
        Outcome o = d.handle(new KeyConfirm(Bytes.of(new byte[32])));
        assertEquals(SessionState.FAILED, o.state());
        assertEquals(FailureReason.UNEXPECTED_MESSAGE, o.failure().orElseThrow().reason());
        Abort abort = (Abort) o.messages().get(0);
        assertEquals(FailureReason.UNEXPECTED_MESSAGE.code(), abort.reasonCode());
        assertEquals("KEY_CONFIRM is not expected in state AWAIT_REQUEST (expected MIGRATION_REQUEST)", abort.detail());
    }

    @Test
    void aFinishedSessionIgnoresInputAndLocalStepsOutOfOrderAreProgrammingErrors() {
        DestinationSession d = new Scenario().newDestination();
        assertThrows(IllegalStateException.class, d::commit);
        d.fail(FailureReason.CANCELLED, "operator");
        Outcome after = d.handle(new KeyConfirm(Bytes.of(new byte[32])));
        assertEquals(SessionState.FAILED, after.previousState());
        assertTrue(after.messages().isEmpty());
        assertEquals(FailureReason.CANCELLED, after.failure().orElseThrow().reason(), "the first failure stays");
        assertEquals(FailureReason.CANCELLED, d.commit().failure().orElseThrow().reason());
    }
}
