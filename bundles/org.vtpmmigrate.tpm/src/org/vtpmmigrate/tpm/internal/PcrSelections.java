package org.vtpmmigrate.tpm.internal;

import java.io.ByteArrayOutputStream;
import java.util.SortedSet;

import org.vtpmmigrate.tpm.PcrBank;
import org.vtpmmigrate.tpm.PcrSelection;

import tss.tpm.TPMS_PCR_SELECTION;
import tss.tpm.TPM_ALG_ID;

/** PCR selections in TPM encoding: bitmaps, TSS.Java structures, TPML_PCR_SELECTION bytes. */
final class PcrSelections {

    /** sizeofSelect: three bytes cover PCRs 0..23. */
    static final int SELECT_SIZE = 3;

    private PcrSelections() {
    }

    static byte[] bitmap(SortedSet<Integer> indices) {
        byte[] bitmap = new byte[SELECT_SIZE];
        for (int index : indices) {
            bitmap[index / 8] |= (byte) (1 << (index % 8));
        }
        return bitmap;
    }

    /** The selection as TSS.Java structures, in selection order. */
    static TPMS_PCR_SELECTION[] toTss(PcrSelection selection) {
        return selection.banks().stream()
                .map(bank -> new TPMS_PCR_SELECTION(TPM_ALG_ID.fromInt(bank.algorithmId()),
                        bitmap(selection.indices(bank))))
                .toArray(TPMS_PCR_SELECTION[]::new);
    }

    /** The TPML_PCR_SELECTION wire bytes of the selection, as {@link #toTss} sends them. */
    static byte[] tpmlPcrSelection(PcrSelection selection) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeUint32(out, selection.banks().size());
        for (PcrBank bank : selection.banks()) {
            out.write(bank.algorithmId() >>> 8);
            out.write(bank.algorithmId());
            out.write(SELECT_SIZE);
            out.writeBytes(bitmap(selection.indices(bank)));
        }
        return out.toByteArray();
    }

    static void writeUint32(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }
}
