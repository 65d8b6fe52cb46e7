//! Serde plumbing shared by the generated types (hand-written, crate-private).
//!
//! Every generated struct implements [`DeStruct`] (a field-name → index function plus one
//! assignment per index) instead of deriving `Deserialize`: the per-type code is a `match` on
//! strings and one line per field, and the visitor below is shared by all types. That keeps
//! compile time down and gives Go's decoding rules exactly:
//!
//! * unknown keys are skipped; a repeated key keeps the last value;
//! * a missing required field keeps its zero value, and `null` reads as the zero value
//!   ([`or_default`]) — `encoding/json` does the same.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Index returned by [`DeStruct::field_index`] for keys the type does not know.
pub(crate) const UNKNOWN: u16 = u16::MAX;

/// A generated struct that decodes field by field.
pub(crate) trait DeStruct: Default {
    /// Upstream type name, for error messages.
    const NAME: &'static str;

    /// Maps a JSON key to the field's index, or [`UNKNOWN`].
    fn field_index(key: &str) -> u16;

    /// Reads the value of field `index` from `map` into `self`.
    fn visit_field<'de, A: MapAccess<'de>>(
        &mut self,
        index: u16,
        map: &mut A,
    ) -> Result<(), A::Error>;
}

/// `Deserialize::deserialize` of every generated struct.
pub(crate) fn deserialize_struct<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeStruct,
{
    deserializer.deserialize_map(StructVisitor(PhantomData))
}

struct StructVisitor<T>(PhantomData<T>);

impl<'de, T: DeStruct> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        while let Some(index) = map.next_key_seed(FieldKey(T::field_index))? {
            if index == UNKNOWN {
                map.next_value::<IgnoredAny>()?;
            } else {
                out.visit_field(index, &mut map)?;
            }
        }
        Ok(out)
    }
}

/// Decodes a map key straight into a field index, without allocating.
struct FieldKey(fn(&str) -> u16);

impl<'de> DeserializeSeed<'de> for FieldKey {
    type Value = u16;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u16, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for FieldKey {
    type Value = u16;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<u16, E> {
        Ok((self.0)(v))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<u16, E> {
        Ok(std::str::from_utf8(v).map_or(UNKNOWN, self.0))
    }
}

/// Reads a value that Go would leave at its zero value when missing or `null`.
pub(crate) fn or_default<'de, A, T>(map: &mut A) -> Result<T, A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(map.next_value::<Option<T>>()?.unwrap_or_default())
}

/// Reads an array field like [`or_default`], then gives back the spare capacity the decoder's
/// doubling left (a `Vec` of one `Container` would otherwise hold room for four): objects in a
/// cache live long, so their arrays are kept exact.
pub(crate) fn vec<'de, A, T>(map: &mut A) -> Result<kapi_apimachinery::ThinVec<T>, A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    let mut v: kapi_apimachinery::ThinVec<T> = or_default(map)?;
    v.shrink_to_fit();
    Ok(v)
}

/// Skips the value of an unknown field index.
pub(crate) fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// An `f64` written the way Go's `encoding/json` writes a `float64`: integral values without a
/// fraction (`1`, not `1.0`), so documents round-trip unchanged. Only `apiextensions` has
/// floating-point fields.
#[cfg_attr(not(feature = "apiextensions"), allow(dead_code))]
pub(crate) struct GoFloat(pub(crate) f64);

/// Largest magnitude below which every integral `f64` is exactly an `i64` and Go prints it
/// without an exponent.
#[cfg_attr(not(feature = "apiextensions"), allow(dead_code))]
const EXACT_INT: f64 = 9_007_199_254_740_992.0; // 2^53

impl Serialize for GoFloat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.fract() == 0.0 && v.abs() < EXACT_INT {
            #[allow(clippy::cast_possible_truncation)]
            serializer.serialize_i64(v as i64)
        } else {
            serializer.serialize_f64(v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "core")]
    #[test]
    fn decoded_arrays_hold_no_spare_capacity() {
        let pod: crate::core::v1::Pod = serde_json::from_str(
            r#"{"metadata":{"name":"p","ownerReferences":[{"apiVersion":"v1","kind":"X","name":"x","uid":"u"}]},
                "spec":{"containers":[{"name":"a","args":["x","y","z"]}],"volumes":[{"name":"v"}]}}"#,
        )
        .expect("pod");
        let spec = pod.spec.expect("spec");
        assert_eq!(spec.containers.capacity(), 1);
        assert_eq!(spec.containers[0].args.capacity(), 3);
        assert_eq!(spec.volumes.capacity(), 1);
        assert_eq!(pod.metadata.owner_references.capacity(), 1);
    }

    #[test]
    fn go_float() {
        let s = |v: f64| serde_json::to_string(&GoFloat(v)).unwrap_or_default();
        assert_eq!(s(1.0), "1");
        assert_eq!(s(-3.0), "-3");
        assert_eq!(s(1.5), "1.5");
        assert_eq!(s(0.1), "0.1");
    }
}
