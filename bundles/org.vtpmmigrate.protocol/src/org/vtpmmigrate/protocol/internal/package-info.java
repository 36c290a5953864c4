/** State machines, transition table, transcript, key schedule (HKDF), record sealing and opening. */
package org.vtpmmigrate.protocol.internal;
