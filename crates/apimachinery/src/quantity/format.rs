//! Canonical printing.
//!
//! The canonical form has no fraction, keeps the suffix family and uses the
//! largest exponent that keeps the mantissa an integer:
//!
//! * decimal families: the exponent is a multiple of three; `DecimalSI`
//!   uses `n u m "" k M G T P E` and falls back to `e<exp>` above `E`;
//!   `DecimalExponent` prints `e<exp>` (nothing for `e0`);
//! * `BinarySI`: powers of 1024 up to `Ei`, but values below 1024 in
//!   magnitude, or with a fraction, are printed in `DecimalSI`;
//! * zero is always `0`.

use std::fmt;

use super::{Format, Quantity, NANOS_PER_UNIT};

/// What follows the mantissa in the canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suffix {
    /// A fixed suffix (possibly empty).
    Text(&'static str),
    /// `e<exp>`.
    Exponent(i32),
}

/// Decimal SI suffixes from `10^-9` to `10^18`, in steps of three.
const DECIMAL_SUFFIXES: [&str; 10] = ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"];

/// Binary suffixes from `1024^0` to `1024^6`.
const BINARY_SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/// Splits a quantity into its canonical mantissa magnitude and suffix.
fn canonical(nanos: i128, format: Format) -> (u128, Suffix) {
    let magnitude = nanos.unsigned_abs();
    if magnitude == 0 {
        return (0, Suffix::Text(""));
    }
    if format == Format::BinarySI {
        if let Some(units) = whole_units(magnitude).filter(|&units| units >= 1024) {
            let power = (units.trailing_zeros() / 10).min(BINARY_SUFFIXES.len() as u32 - 1);
            return (
                units >> (10 * power),
                Suffix::Text(BINARY_SUFFIXES[power as usize]),
            );
        }
    }
    let (mantissa, exponent) = decimal_mantissa(magnitude);
    let suffix = match format {
        Format::DecimalExponent if exponent == 0 => Suffix::Text(""),
        Format::DecimalExponent => Suffix::Exponent(exponent),
        // Binary quantities that reach here print as decimal SI.
        Format::DecimalSI | Format::BinarySI => match usize::try_from((exponent + 9) / 3) {
            Ok(index) if index < DECIMAL_SUFFIXES.len() => Suffix::Text(DECIMAL_SUFFIXES[index]),
            _ => Suffix::Exponent(exponent),
        },
    };
    (mantissa, suffix)
}

/// `magnitude` nano-units as whole units, if there is no fraction.
fn whole_units(magnitude: u128) -> Option<u128> {
    const PER_UNIT: u64 = NANOS_PER_UNIT as u64;
    // Narrow to u64 when possible: 128-bit division is markedly slower.
    match u64::try_from(magnitude) {
        Ok(small) => (small % PER_UNIT == 0).then(|| u128::from(small / PER_UNIT)),
        Err(_) => {
            let per_unit = u128::from(PER_UNIT);
            (magnitude % per_unit == 0).then(|| magnitude / per_unit)
        }
    }
}

/// Writes `magnitude` nano-units as `mantissa × 10^exponent` with the
/// exponent a multiple of three and as large as possible.
fn decimal_mantissa(magnitude: u128) -> (u128, i32) {
    // Narrow to u64 when possible: 128-bit division is markedly slower.
    let (mantissa, exponent) = match u64::try_from(magnitude) {
        Ok(small) => {
            let (m, e) = strip_thousands_u64(small);
            (u128::from(m), e)
        }
        Err(_) => strip_thousands_u128(magnitude),
    };
    // Nano-units sit at exponent -9, a multiple of three, and stripping whole
    // thousands keeps it one.
    (mantissa, exponent - 9)
}

fn strip_thousands_u64(mut value: u64) -> (u64, i32) {
    let mut exponent = 0;
    while value != 0 && value % 1000 == 0 {
        value /= 1000;
        exponent += 3;
    }
    (value, exponent)
}

fn strip_thousands_u128(mut value: u128) -> (u128, i32) {
    let mut exponent = 0;
    while value != 0 && value % 1000 == 0 {
        value /= 1000;
        exponent += 3;
    }
    (value, exponent)
}

impl fmt::Display for Quantity {
    /// Prints the canonical form (`1.5Gi` prints as `1536Mi`); honours width
    /// and alignment flags.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (mantissa, suffix) = canonical(self.nanos, self.format);
        // Sign + 39 digits + "e-2147483648" fits in 64 bytes.
        let mut buf = [0u8; 64];
        let mut len = 0;
        let mut push = |bytes: &[u8]| {
            buf[len..len + bytes.len()].copy_from_slice(bytes);
            len += bytes.len();
        };
        if self.nanos < 0 {
            push(b"-");
        }
        let mut digits = [0u8; 40];
        push(decimal_digits(mantissa, &mut digits));
        match suffix {
            Suffix::Text(text) => push(text.as_bytes()),
            Suffix::Exponent(exp) => {
                push(b"e");
                if exp < 0 {
                    push(b"-");
                }
                push(decimal_digits(u128::from(exp.unsigned_abs()), &mut digits));
            }
        }
        // Only ASCII was written.
        f.pad(std::str::from_utf8(&buf[..len]).map_err(|_| fmt::Error)?)
    }
}

/// Writes `value` in base 10 at the end of `out` and returns the digits.
fn decimal_digits(mut value: u128, out: &mut [u8; 40]) -> &[u8] {
    const CHUNK: u128 = 10_000_000_000_000_000_000; // 10^19
    let mut start = out.len();
    // 128-bit division is slow: peel off 19-digit chunks, then work in u64.
    while value > u128::from(u64::MAX) {
        let mut chunk = (value % CHUNK) as u64;
        value /= CHUNK;
        for _ in 0..19 {
            start -= 1;
            out[start] = b'0' + (chunk % 10) as u8;
            chunk /= 10;
        }
    }
    let mut small = value as u64;
    loop {
        start -= 1;
        out[start] = b'0' + (small % 10) as u8;
        small /= 10;
        if small == 0 {
            return &out[start..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let unit = NANOS_PER_UNIT;
        assert_eq!(
            canonical(1500 * unit / 1000, Format::DecimalSI),
            (1500, Suffix::Text("m"))
        );
        assert_eq!(
            canonical(1000 * unit, Format::DecimalExponent),
            (1, Suffix::Exponent(3))
        );
        assert_eq!(canonical(1536 << 20, Format::BinarySI).1, Suffix::Text("n"));
        assert_eq!(
            canonical((1536 << 20) * unit, Format::BinarySI),
            (1536, Suffix::Text("Mi"))
        );
        assert_eq!(
            canonical(1 << 70, Format::DecimalSI),
            (1 << 70, Suffix::Text("n"))
        );
        assert_eq!(
            canonical((1 << 70) * unit, Format::BinarySI),
            (1024, Suffix::Text("Ei"))
        );
        assert_eq!(
            canonical(unit * POW21, Format::DecimalSI),
            (1, Suffix::Exponent(21))
        );
    }

    #[test]
    fn digits() {
        let mut buf = [0u8; 40];
        let values = [
            0,
            7,
            10,
            u128::from(u64::MAX),
            u128::from(u64::MAX) + 1,
            10u128.pow(19),
            10u128.pow(38),
            u128::MAX,
        ];
        for value in values {
            let expected = value.to_string();
            assert_eq!(decimal_digits(value, &mut buf), expected.as_bytes());
        }
    }

    const POW21: i128 = 1_000_000_000_000_000_000_000;
}
