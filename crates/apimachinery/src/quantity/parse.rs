//! Parsing `[+-]digits[.digits][suffix]` into an exact count of nano-units.
//!
//! The work is done on the decimal digits themselves, never through `f64`:
//! a binary suffix multiplies the digit string by `2^k`, then the decimal
//! point is moved to nano-units. Digits below one nano-unit round the
//! magnitude up (away from zero), so a non-zero request never becomes zero.

use super::{Format, Quantity, QuantityError, NANOS_PER_UNIT};

/// `10^i` for every `i` that fits in a `u128`.
pub(super) const POW10: [u128; 39] = {
    let mut table = [1u128; 39];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// Exponents beyond this are clamped: they are out of range (or below one
/// nano-unit) anyway, and clamping keeps the arithmetic small.
const EXPONENT_CLAMP: i64 = 10_000_000;

/// Largest magnitude in nano-units (`i128::MAX`, so negation never overflows).
const MAX_MAGNITUDE: u128 = i128::MAX as u128;

/// Parses a quantity; see [`Quantity::parse`].
pub(super) fn parse(input: &str) -> Result<Quantity, QuantityError> {
    let bytes = input.as_bytes();
    if bytes.is_empty() {
        return Err(QuantityError::Empty);
    }
    let (negative, mut pos) = match bytes[0] {
        b'-' => (true, 1),
        b'+' => (false, 1),
        _ => (false, 0),
    };
    let int = take_digits(bytes, &mut pos);
    let mut frac: &[u8] = &[];
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        frac = take_digits(bytes, &mut pos);
    }
    if int.is_empty() && frac.is_empty() {
        return Err(QuantityError::bad_number(input));
    }
    // Everything consumed so far is ASCII, so `pos` is a char boundary.
    let suffix = &input[pos..];
    let (format, exp10, shift) = match parse_suffix(suffix) {
        Some(parsed) => parsed,
        None if suffix.starts_with(['.', '+', '-']) => {
            return Err(QuantityError::bad_number(input))
        }
        None => return Err(QuantityError::unknown_suffix(input, suffix)),
    };
    let magnitude = magnitude_nanos(int, frac, exp10, shift)
        .ok_or_else(|| QuantityError::out_of_range(input))?;
    // A binary quantity below one unit has no binary spelling: it becomes decimal.
    let format =
        if format == Format::BinarySI && magnitude != 0 && magnitude < NANOS_PER_UNIT as u128 {
            Format::DecimalSI
        } else {
            format
        };
    // `magnitude <= i128::MAX`, checked by `magnitude_nanos`.
    let nanos = magnitude as i128;
    Ok(Quantity {
        nanos: if negative { -nanos } else { nanos },
        format,
    })
}

/// Advances `pos` over ASCII digits and returns them.
fn take_digits<'a>(bytes: &'a [u8], pos: &mut usize) -> &'a [u8] {
    let start = *pos;
    while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
        *pos += 1;
    }
    &bytes[start..*pos]
}

/// Maps a suffix to its format, power of ten and power of two.
fn parse_suffix(suffix: &str) -> Option<(Format, i64, u32)> {
    let decimal = |exp| Some((Format::DecimalSI, exp, 0));
    let binary = |shift| Some((Format::BinarySI, 0, shift));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => {
            let rest = suffix.strip_prefix(['e', 'E'])?;
            Some((Format::DecimalExponent, parse_exponent(rest)?, 0))
        }
    }
}

/// Parses `[+-]digits`, clamping to ±[`EXPONENT_CLAMP`].
fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = digits.bytes().fold(0i64, |acc, b| {
        (acc * 10 + i64::from(b - b'0')).min(EXPONENT_CLAMP)
    });
    Some(if negative { -value } else { value })
}

/// `int.frac × 10^exp10 × 2^shift` in nano-units, rounded away from zero;
/// `None` when larger than [`MAX_MAGNITUDE`].
fn magnitude_nanos(int: &[u8], frac: &[u8], exp10: i64, shift: u32) -> Option<u128> {
    // Power of ten that turns the integer `int ++ frac` into nano-units.
    let scale = exp10 - i64::try_from(frac.len()).unwrap_or(i64::MAX / 2) + 9;
    if int.len() + frac.len() <= 38 {
        let digits = accumulate(int.iter().chain(frac).copied());
        if digits == 0 {
            return Some(0);
        }
        if let Some(value) = digits.checked_mul(1u128 << shift) {
            return apply_scale(value, scale);
        }
    }
    magnitude_slow(int, frac, scale, shift)
}

/// The general case: any number of digits, done on the digit string.
fn magnitude_slow(int: &[u8], frac: &[u8], scale: i64, shift: u32) -> Option<u128> {
    let mut digits: Vec<u8> = int
        .iter()
        .chain(frac)
        .copied()
        .skip_while(|&b| b == b'0')
        .map(|b| b - b'0')
        .collect();
    if digits.is_empty() {
        return Some(0);
    }
    if shift > 0 {
        digits = multiply_digits(&digits, 1u128 << shift);
    }
    let significant = digits.iter().rposition(|&d| d != 0).map_or(0, |i| i + 1);
    let trailing = digits.len() - significant;
    digits.truncate(significant);
    let scale = scale + i64::try_from(trailing).ok()?;
    let len = i64::try_from(digits.len()).ok()?;
    if scale >= 0 {
        if len + scale > 39 {
            return None;
        }
        let value = accumulate_checked(&digits)?;
        // `scale <= 38` here because `len >= 1`.
        return value
            .checked_mul(POW10[scale as usize])
            .filter(|&v| v <= MAX_MAGNITUDE);
    }
    let dropped = -scale;
    if dropped >= len {
        return Some(1);
    }
    let kept = &digits[..(len - dropped) as usize];
    // The last digit is non-zero and was dropped, so the result rounds up.
    accumulate_checked(kept)?
        .checked_add(1)
        .filter(|&v| v <= MAX_MAGNITUDE)
}

/// `value × 10^scale` rounded away from zero, or `None` past [`MAX_MAGNITUDE`].
fn apply_scale(value: u128, scale: i64) -> Option<u128> {
    if scale >= 0 {
        let factor = *POW10.get(usize::try_from(scale).ok()?)?;
        return value.checked_mul(factor).filter(|&v| v <= MAX_MAGNITUDE);
    }
    let Some(&divisor) = POW10.get(usize::try_from(-scale).ok()?) else {
        return Some(1);
    };
    let rounded = value / divisor + u128::from(value % divisor != 0);
    (rounded <= MAX_MAGNITUDE).then_some(rounded)
}

/// Folds at most 38 ASCII digits into an integer (cannot overflow).
fn accumulate(digits: impl Iterator<Item = u8>) -> u128 {
    digits.fold(0, |acc, b| acc * 10 + u128::from(b - b'0'))
}

/// Folds digit values (0–9) into an integer, `None` on overflow.
fn accumulate_checked(digits: &[u8]) -> Option<u128> {
    digits.iter().try_fold(0u128, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u128::from(d))
    })
}

/// Multiplies a big-endian digit-value string by `factor` (at most `2^60`).
fn multiply_digits(digits: &[u8], factor: u128) -> Vec<u8> {
    let mut out = Vec::with_capacity(digits.len() + 20);
    let mut carry = 0u128;
    for &d in digits.iter().rev() {
        let product = u128::from(d) * factor + carry;
        out.push((product % 10) as u8);
        carry = product / 10;
    }
    while carry > 0 {
        out.push((carry % 10) as u8);
        carry /= 10;
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nanos(int: &str, frac: &str, exp10: i64, shift: u32) -> Option<u128> {
        magnitude_nanos(int.as_bytes(), frac.as_bytes(), exp10, shift)
    }

    fn slow(int: &str, frac: &str, exp10: i64, shift: u32) -> Option<u128> {
        let scale = exp10 - frac.len() as i64 + 9;
        magnitude_slow(int.as_bytes(), frac.as_bytes(), scale, shift)
    }

    #[test]
    fn fast_and_slow_paths_agree() {
        let cases = [
            ("1", "5", 0, 30),
            ("0", "000000000001", 0, 10),
            ("100", "035", 0, 10),
            ("3", "001", -9, 0),
            ("12345678901234567890", "", -20, 0),
            ("1", "", 20, 0),
            ("0", "", 400, 0),
            ("170141183460469231731687303715", "884105727", 0, 0),
        ];
        for (int, frac, exp, shift) in cases {
            assert_eq!(
                nanos(int, frac, exp, shift),
                slow(int, frac, exp, shift),
                "{int}.{frac}e{exp}<<{shift}"
            );
        }
    }

    #[test]
    fn long_fractions_stay_exact() {
        let frac = "0".repeat(40) + "1";
        // 1.000…01Ei: exact part 2^60 units, plus a sliver that rounds up one nano.
        let expected = (1u128 << 60) * 1_000_000_000 + 1;
        assert_eq!(nanos("1", &frac, 0, 60), Some(expected));
        assert_eq!(nanos("1", &frac, 0, 0), Some(1_000_000_001));
    }

    #[test]
    fn limits() {
        assert_eq!(
            nanos("170141183460469231731687303715", "884105727", 0, 0),
            Some(MAX_MAGNITUDE)
        );
        assert_eq!(
            nanos("170141183460469231731687303715", "884105728", 0, 0),
            None
        );
        assert_eq!(nanos("1", "", -EXPONENT_CLAMP, 0), Some(1));
        assert_eq!(nanos("1", "", EXPONENT_CLAMP, 0), None);
    }
}
