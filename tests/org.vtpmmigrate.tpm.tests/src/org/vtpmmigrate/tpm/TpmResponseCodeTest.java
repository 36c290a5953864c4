package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vtpmmigrate.tpm.TpmResponseCode.Subject;
import org.vtpmmigrate.tpm.internal.ResponseCodes;

/** Response code decoding after TPM 2.0 Part 2, 6.6 (values as swtpm sends them). */
class TpmResponseCodeTest {

    @Test
    void formatOneParameterError() {
        TpmResponseCode code = ResponseCodes.decode(0x1C4);
        assertEquals("TPM_RC_VALUE", code.name());
        assertEquals(0x084, code.baseCode());
        assertEquals(Subject.PARAMETER, code.subject());
        assertEquals(1, code.subjectNumber());
        assertEquals("TPM_RC_VALUE (parameter 1, 0x000001c4): value is out of range or is not correct for the context",
                code.toString());
    }

    @Test
    void formatOneHandleAndSessionErrors() {
        TpmResponseCode handle = ResponseCodes.decode(0x18B);
        assertEquals("TPM_RC_HANDLE", handle.name());
        assertEquals(Subject.HANDLE, handle.subject());
        assertEquals(1, handle.subjectNumber());

        TpmResponseCode session = ResponseCodes.decode(0x99D);
        assertEquals("TPM_RC_POLICY_FAIL", session.name());
        assertEquals(Subject.SESSION, session.subject());
        assertEquals(1, session.subjectNumber());

        TpmResponseCode integrity = ResponseCodes.decode(0x29F);
        assertEquals("TPM_RC_INTEGRITY", integrity.name());
        assertEquals(Subject.HANDLE, integrity.subject());
        assertEquals(2, integrity.subjectNumber());
    }

    @Test
    void formatZeroErrorsAndWarnings() {
        TpmResponseCode locality = ResponseCodes.decode(0x907);
        assertEquals("TPM_RC_LOCALITY", locality.name());
        assertTrue(locality.isWarning());

        TpmResponseCode objectMemory = ResponseCodes.decode(0x902);
        assertEquals("TPM_RC_OBJECT_MEMORY", objectMemory.name());
        assertTrue(objectMemory.description().contains("object contexts"));

        TpmResponseCode initialize = ResponseCodes.decode(0x100);
        assertEquals("TPM_RC_INITIALIZE", initialize.name());
        assertFalse(initialize.isWarning());
        assertEquals(Subject.NONE, initialize.subject());

        assertEquals("TPM_RC_SUCCESS", ResponseCodes.decode(0).name());
    }

    @Test
    void unknownVendorLayerAndTpm12CodesAreNamedByValue() {
        assertEquals("TPM_RC_0x17e", ResponseCodes.decode(0x17E).name());
        assertEquals("vendor response 0x501", ResponseCodes.decode(0x501).name());
        assertEquals("TPM 1.2 response 0x005", ResponseCodes.decode(0x005).name());
        TpmResponseCode layer = ResponseCodes.decode(0x000B0101);
        assertEquals("layer 11 response 0x0101", layer.name());
        assertTrue(layer.description().contains("software layer"));
    }
}
