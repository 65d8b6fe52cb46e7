//! Serde support: a quantity serializes as its canonical string and
//! deserializes from a string, an integer or a float (JSON and YAML numbers).

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Format, Quantity};

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    /// Accepts a quantity string (surrounding whitespace is ignored, as in
    /// Kubernetes), an integer, a float (through its shortest exact decimal
    /// spelling, so `0.1` is `100m`) or `null` (zero; an `Option<Quantity>`
    /// still sees `null` as `None`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Quantity, D::Error> {
        deserializer.deserialize_any(QuantityVisitor)
    }
}

struct QuantityVisitor;

impl Visitor<'_> for QuantityVisitor {
    type Value = Quantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity string such as \"100m\" or \"1.5Gi\", or a number")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Quantity, E> {
        Quantity::parse(value.trim()).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Quantity, E> {
        Ok(Quantity::from_i64(value, Format::DecimalSI))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Quantity, E> {
        // u64::MAX units is far inside the range.
        Quantity::from_nanos(i128::from(value) * 1_000_000_000, Format::DecimalSI)
            .ok_or_else(|| E::custom("quantity out of range"))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Quantity, E> {
        // `Display` for f64 prints the shortest digits that round-trip, never
        // in exponent notation; NaN and infinities fail to parse.
        Quantity::parse(&value.to_string()).map_err(E::custom)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Quantity, E> {
        Ok(Quantity::ZERO)
    }
}
