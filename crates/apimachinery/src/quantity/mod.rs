//! Resource quantities such as `100m`, `1.5Gi` or `1e3` (`resource.Quantity`).
//!
//! A [`Quantity`] is an exact fixed-point number: an integer count of
//! nano-units (10⁻⁹) in an `i128`, plus the [`Format`] (suffix family) it was
//! written in. There is no floating point in parsing, printing, comparison or
//! arithmetic.
//!
//! * **Parsing** accepts a signed decimal number followed by a binary suffix
//!   (`Ki Mi Gi Ti Pi Ei`), a decimal SI suffix (`n u m k M G T P E`, or none)
//!   or a decimal exponent (`e3`, `E-3`, `e+6`). Values finer than one
//!   nano-unit round **up** (away from zero) to the next nano-unit, so a
//!   non-zero request never turns into zero. Values whose magnitude exceeds
//!   [`Quantity::MAX`] (about 1.7·10²⁹) are an error, never a silent cap.
//! * **Printing** (`Display`, serde) always writes the canonical form: no
//!   fraction, same suffix family, largest exponent that keeps an integer
//!   mantissa (`1.5` → `1500m`, `1.5Gi` → `1536Mi`, `1000` → `1k`,
//!   `1e3` → `1e3`, `0.5Gi` → `512Mi`, `0.1m` → `100u`). The original
//!   spelling is not kept: like Kubernetes, a decode/encode round trip
//!   re-emits the canonical form (`"0"` and `"100m"` are already canonical).
//! * **Equality, ordering and hashing** are by value: `1Gi == 1024Mi`,
//!   `1000m == 1`, whatever the format.
//!
//! ```
//! use kapi_apimachinery::quantity::{Format, Rounding};
//! use kapi_apimachinery::Quantity;
//!
//! # fn main() -> Result<(), kapi_apimachinery::quantity::QuantityError> {
//! let memory: Quantity = "1.5Gi".parse()?;
//! assert_eq!(memory.to_string(), "1536Mi");
//! assert_eq!(memory, "1536Mi".parse::<Quantity>()?);
//! assert_eq!(memory.format(), Format::BinarySI);
//!
//! let cpu = Quantity::parse("250m")?;
//! let total = cpu.checked_add(&Quantity::from_milli(1250)).unwrap_or_default();
//! assert_eq!(total.to_string(), "1500m");
//! assert_eq!(total.value(), 2); // rounds up, like Kubernetes
//! assert_eq!(total.to_i64_rounded(Rounding::Down), Some(1));
//! assert_eq!(total.milli_value(), 1500);
//! # Ok(())
//! # }
//! ```

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

mod error;
mod format;
mod parse;
mod serde_impl;

pub use error::QuantityError;

use parse::POW10;

/// Nano-units per unit.
const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// The suffix family a quantity is written in; it decides the canonical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Powers of ten as an exponent: `1e3`, `12e-3`.
    DecimalExponent,
    /// Powers of 1024: `Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei`.
    BinarySI,
    /// Decimal SI suffixes: `n`, `u`, `m`, none, `k`, `M`, `G`, `T`, `P`, `E`.
    #[default]
    DecimalSI,
}

/// How to round a quantity to an integer count of some unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rounding {
    /// Away from zero (`1.1` → `2`, `-1.1` → `-2`); what Kubernetes' `Value()` does.
    Up,
    /// Toward zero (`1.9` → `1`, `-1.9` → `-1`).
    Down,
    /// To the nearest integer, halves away from zero (`2.5` → `3`, `-2.5` → `-3`).
    Nearest,
}

/// A fixed-point resource quantity such as `100m`, `1.5Gi` or `1e3`.
///
/// See the [module documentation](self) for the parsing, printing and
/// equality rules.
///
/// ```
/// use kapi_apimachinery::Quantity;
///
/// let a: Quantity = "1Gi".parse().unwrap_or_default();
/// let b: Quantity = "1024Mi".parse().unwrap_or_default();
/// assert_eq!(a, b);
/// assert!("1G".parse::<Quantity>().unwrap_or_default() < a);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Quantity {
    /// The value in nano-units; never `i128::MIN`.
    nanos: i128,
    format: Format,
}

impl Quantity {
    /// Zero, in [`Format::DecimalSI`].
    pub const ZERO: Quantity = Quantity {
        nanos: 0,
        format: Format::DecimalSI,
    };

    /// The largest representable quantity: `i128::MAX` nano-units (≈ 1.7·10²⁹).
    pub const MAX: Quantity = Quantity {
        nanos: i128::MAX,
        format: Format::DecimalSI,
    };

    /// The smallest representable quantity, `-MAX`.
    pub const MIN: Quantity = Quantity {
        nanos: -i128::MAX,
        format: Format::DecimalSI,
    };

    /// Parses a quantity string; the same as [`str::parse`].
    ///
    /// ```
    /// use kapi_apimachinery::Quantity;
    ///
    /// assert_eq!(Quantity::parse("0.5Gi").map(|q| q.to_string()).as_deref(), Ok("512Mi"));
    /// assert!(Quantity::parse("1 Mi").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<Quantity, QuantityError> {
        parse::parse(input)
    }

    /// A whole number of units in the given format (`from_i64(1024, BinarySI)` is `1Ki`).
    pub fn from_i64(value: i64, format: Format) -> Quantity {
        Quantity {
            nanos: i128::from(value) * NANOS_PER_UNIT,
            format,
        }
    }

    /// A number of thousandths, in [`Format::DecimalSI`] (`from_milli(1500)` is `1500m`).
    pub fn from_milli(value: i64) -> Quantity {
        Quantity {
            nanos: i128::from(value) * 1_000_000,
            format: Format::DecimalSI,
        }
    }

    /// `value × 10^exponent` in [`Format::DecimalSI`]; digits finer than one
    /// nano-unit round away from zero. `None` when out of range.
    ///
    /// ```
    /// use kapi_apimachinery::Quantity;
    ///
    /// assert_eq!(Quantity::from_scaled(5, -3).map(|q| q.to_string()).as_deref(), Some("5m"));
    /// assert_eq!(Quantity::from_scaled(1, 40), None);
    /// ```
    pub fn from_scaled(value: i64, exponent: i32) -> Option<Quantity> {
        let magnitude = u128::from(value.unsigned_abs());
        let power = i64::from(exponent) + 9;
        let nanos = if power >= 0 {
            let factor = *POW10.get(usize::try_from(power).ok()?)?;
            magnitude.checked_mul(factor)?
        } else {
            match POW10.get(usize::try_from(-power).ok()?) {
                Some(&d) => magnitude / d + u128::from(magnitude % d != 0),
                None => u128::from(magnitude != 0),
            }
        };
        let nanos = i128::try_from(nanos).ok()?;
        Some(Quantity {
            nanos: if value < 0 { -nanos } else { nanos },
            format: Format::DecimalSI,
        })
    }

    /// Builds a quantity from a count of nano-units; `None` for `i128::MIN`.
    pub fn from_nanos(nanos: i128, format: Format) -> Option<Quantity> {
        (nanos != i128::MIN).then_some(Quantity { nanos, format })
    }

    /// The exact value as a count of nano-units.
    pub fn as_nanos(&self) -> i128 {
        self.nanos
    }

    /// The suffix family used for printing.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The same value, printed in another format.
    ///
    /// ```
    /// use kapi_apimachinery::quantity::Format;
    /// use kapi_apimachinery::Quantity;
    ///
    /// let q = Quantity::from_i64(2048, Format::DecimalSI);
    /// assert_eq!(q.to_string(), "2048");
    /// assert_eq!(q.with_format(Format::BinarySI).to_string(), "2Ki");
    /// ```
    pub fn with_format(self, format: Format) -> Quantity {
        Quantity { format, ..self }
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// `-1`, `0` or `1` by the sign of the value.
    pub fn signum(&self) -> i32 {
        match self.nanos.cmp(&0) {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        }
    }

    /// The absolute value.
    pub fn abs(self) -> Quantity {
        Quantity {
            nanos: self.nanos.abs(),
            ..self
        }
    }

    /// `self + other`, or `None` on overflow. The result keeps `self`'s
    /// format, unless `self` is zero, where it takes `other`'s.
    pub fn checked_add(&self, other: &Quantity) -> Option<Quantity> {
        let nanos = self.nanos.checked_add(other.nanos)?;
        self.combine(other, nanos)
    }

    /// `self - other`, or `None` on overflow; formats as in [`checked_add`](Self::checked_add).
    pub fn checked_sub(&self, other: &Quantity) -> Option<Quantity> {
        let nanos = self.nanos.checked_sub(other.nanos)?;
        self.combine(other, nanos)
    }

    /// `self × factor`, or `None` on overflow.
    pub fn checked_mul(&self, factor: i64) -> Option<Quantity> {
        let nanos = self.nanos.checked_mul(i128::from(factor))?;
        Quantity::from_nanos(nanos, self.format)
    }

    fn combine(&self, other: &Quantity, nanos: i128) -> Option<Quantity> {
        let format = if self.is_zero() {
            other.format
        } else {
            self.format
        };
        Quantity::from_nanos(nanos, format)
    }

    /// An approximation as `f64` (exact for values with few significant digits).
    pub fn as_f64(&self) -> f64 {
        let whole = (self.nanos / NANOS_PER_UNIT) as f64;
        let fraction = (self.nanos % NANOS_PER_UNIT) as f64 / 1e9;
        whole + fraction
    }

    /// The value in units, rounded up (away from zero) like Kubernetes'
    /// `Value()`, saturating at the `i64` bounds.
    pub fn value(&self) -> i64 {
        self.saturate(self.to_i64_rounded(Rounding::Up))
    }

    /// The value in thousandths, rounded up (away from zero) like Kubernetes'
    /// `MilliValue()`, saturating at the `i64` bounds.
    pub fn milli_value(&self) -> i64 {
        self.saturate(self.scaled_value(-3, Rounding::Up))
    }

    /// The value in units with explicit rounding; `None` if it does not fit an `i64`.
    pub fn to_i64_rounded(&self, rounding: Rounding) -> Option<i64> {
        self.scaled_value(0, rounding)
    }

    /// The value in units of `10^exponent` (`-3` for milli, `3` for kilo…),
    /// rounded as asked; `None` if it does not fit an `i64`.
    ///
    /// ```
    /// use kapi_apimachinery::quantity::Rounding;
    /// use kapi_apimachinery::Quantity;
    ///
    /// let q = Quantity::parse("1.25k").unwrap_or_default();
    /// assert_eq!(q.scaled_value(3, Rounding::Nearest), Some(1));
    /// assert_eq!(q.scaled_value(3, Rounding::Up), Some(2));
    /// assert_eq!(q.scaled_value(-3, Rounding::Down), Some(1_250_000));
    /// ```
    pub fn scaled_value(&self, exponent: i32, rounding: Rounding) -> Option<i64> {
        let magnitude = self.nanos.unsigned_abs();
        let power = i64::from(exponent) + 9;
        let result = if power <= 0 {
            let factor = *POW10.get(usize::try_from(-power).ok()?)?;
            magnitude.checked_mul(factor)?
        } else {
            let (quotient, remainder, divisor) = match POW10.get(usize::try_from(power).ok()?) {
                Some(&d) => (magnitude / d, magnitude % d, d),
                None => (0, magnitude, u128::MAX),
            };
            let bump = match rounding {
                Rounding::Down => false,
                Rounding::Up => remainder != 0,
                Rounding::Nearest => remainder >= divisor - remainder,
            };
            quotient + u128::from(bump)
        };
        let signed = i128::try_from(result).ok()?;
        i64::try_from(if self.nanos < 0 { -signed } else { signed }).ok()
    }

    fn saturate(&self, value: Option<i64>) -> i64 {
        value.unwrap_or(if self.nanos < 0 { i64::MIN } else { i64::MAX })
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    /// Compares values, ignoring the format.
    fn cmp(&self, other: &Quantity) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl Hash for Quantity {
    /// Hashes the value only, consistent with `Eq`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.nanos.hash(state);
    }
}

impl std::ops::Neg for Quantity {
    type Output = Quantity;

    /// Negation never overflows (the range is symmetric).
    fn neg(self) -> Quantity {
        Quantity {
            nanos: -self.nanos,
            ..self
        }
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(input: &str) -> Result<Quantity, QuantityError> {
        parse::parse(input)
    }
}

impl TryFrom<&str> for Quantity {
    type Error = QuantityError;

    fn try_from(input: &str) -> Result<Quantity, QuantityError> {
        parse::parse(input)
    }
}
