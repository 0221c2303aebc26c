"""The observation records of an XPT v5 file, packed a column at a time with numpy.

pyreadstat writes a file's observations value by value (~8 s for the ~10 M cells of a
1,000-participant trial); the layout is simple enough to pack whole columns at once, so
:func:`hipectrial.export.sdtm.xpt.write_xpt` lets pyreadstat write the headers (from a
one-row frame with each column's widest value, which fixes every width) and appends these
records. The bytes are those pyreadstat writes (the 200- and 1,000-participant exports were
compared file by file).

Layout (SAS TS-140): one record per row, the variables in order, no separators; a Char value
ASCII and padded with blanks to the variable's width; a Num value an 8-byte IBM hexadecimal
float (sign bit, 7-bit excess-64 base-16 exponent, 56-bit fraction), a missing number ``.``
(0x2E) then seven zero bytes; the records padded with blanks to a multiple of 80 bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from hipectrial.export.sdtm.model import Value

RECORD = 80
_MISSING = 0x2E << 56  # SAS "." missing value
_IBM_MIN, _IBM_MAX = 16.0 ** -65, 16.0 ** 63  # magnitudes an IBM float holds exactly here


def packable(numbers: Sequence[Sequence[Value]], texts: Sequence[Sequence[Value]]) -> bool:
    """Whether :func:`records` can pack these columns: every non-zero number within the IBM
    float's range and no text holding a NUL byte (the packing pads with NULs first)."""
    import numpy as np

    for column in numbers:
        values = np.array([abs(float(v)) for v in column if v is not None and v != 0], dtype="float64")
        if values.size and (values.min() < _IBM_MIN or values.max() >= _IBM_MAX):
            return False
    return not any("\x00" in "".join(v for v in column if v is not None) for column in texts)  # type: ignore[misc]


def ibm_floats(column: Sequence[Value]) -> bytes:
    """The 8-byte big-endian IBM floats of a Num column (``None``: the missing value)."""
    import numpy as np

    x = np.array([np.nan if v is None else float(v) for v in column], dtype="float64")
    words = np.zeros(x.size, dtype=">u8")
    missing = np.isnan(x)
    words[missing] = _MISSING
    present = ~missing & (x != 0)
    mantissa, exponent = np.frexp(np.abs(x[present]))  # |x| = mantissa * 2**exponent, 0.5 <= m < 1
    hex_exponent = -((-exponent) // 4)                   # ceil(exponent / 4)
    shift = (4 * hex_exponent - exponent).astype(np.uint64)  # leading zero bits of the fraction: 0..3
    fraction = (mantissa * 2.0 ** 53).astype(np.uint64) << (np.uint64(3) - shift)  # exact: 53 + 3 bits
    sign = np.signbit(x[present]).astype(np.uint64) << np.uint64(63)
    words[present] = sign | ((hex_exponent + 64).astype(np.uint64) << np.uint64(56)) | fraction
    return words.tobytes()


def records(columns: Sequence[Sequence[Value]], widths: Sequence[int | None]) -> bytes:
    """The observation records of ``columns`` (``width`` ``None``: a Num column, else the Char
    width), padded with blanks to whole 80-byte records."""
    import numpy as np

    rows = len(columns[0]) if columns else 0
    layout = np.dtype([(f"f{i}", ">u8" if width is None else f"S{width}") for i, width in enumerate(widths)])
    packed = np.zeros(rows, dtype=layout)
    for i, (column, width) in enumerate(zip(columns, widths, strict=True)):
        if width is None:
            packed[f"f{i}"] = np.frombuffer(ibm_floats(column), dtype=">u8")
        else:
            text = np.array(["" if v is None else v for v in column], dtype=f"S{width}")
            cells = text.view(np.uint8).reshape(rows, width)
            cells[cells == 0] = 0x20  # numpy pads with NUL, XPT with blanks
            packed[f"f{i}"] = text
    data = packed.tobytes()
    return data + b" " * (-len(data) % RECORD)
