//! The digest of what a value serializes to: a 128-bit XXH3 hash of serde's
//! data model (each string, number and structure, tagged), without writing
//! or escaping any JSON.
//!
//! The same program writes the same text for the same serialized data, so
//! two values with one digest are written as the same bytes by the binary
//! that computed it (see [`super::written`], which also records which
//! binary that was). XXH3 rather than a cryptographic hash: nothing here is
//! adversarial (the user writes both sides), and a digest of a synth's
//! output costs a few tens of thousands of instructions, not millions.

use std::fmt;

use serde::Serialize;
use serde::ser;
use xxhash_rust::xxh3::Xxh3;

/// A digest: XXH3's 128 bits, little-endian.
pub type Digest = [u8; 16];

/// The digest of `value`'s serialized data, or `None` when it does not
/// serialize.
pub(crate) fn of(value: &impl Serialize) -> Option<Digest> {
    let mut sink = Sink {
        buf: [0; BUFFER],
        len: 0,
        hash: Xxh3::new(),
    };
    value.serialize(Hashing(&mut sink)).ok()?;
    sink.flush();
    Some(sink.hash.digest128().to_le_bytes())
}

const BUFFER: usize = 4096;

/// The hash's input, gathered in a buffer: most items are a few bytes, and
/// the hash takes large slices at a fraction of the cost of small ones.
struct Sink {
    buf: [u8; BUFFER],
    len: usize,
    hash: Xxh3,
}

impl Sink {
    #[inline]
    fn push(&mut self, bytes: &[u8]) {
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(room) => {
                room.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => self.flush_and_push(bytes),
        }
    }

    /// An item and its tag, in one copy of a fixed size.
    #[inline]
    fn push_item<const N: usize>(&mut self, item: [u8; N]) {
        match self.buf.get_mut(self.len..self.len + N) {
            Some(room) => {
                room.copy_from_slice(&item);
                self.len += N;
            }
            None => self.flush_and_push(&item),
        }
    }

    #[cold]
    fn flush_and_push(&mut self, bytes: &[u8]) {
        self.flush();
        if bytes.len() > BUFFER {
            self.hash.update(bytes);
        } else {
            self.buf[..bytes.len()].copy_from_slice(bytes);
            self.len = bytes.len();
        }
    }

    fn flush(&mut self) {
        self.hash.update(&self.buf[..self.len]);
        self.len = 0;
    }
}

/// Feeds everything serialized into the hash. Each item starts with a tag,
/// strings and bytes with their length too, and maps and sequences end with
/// a tag of their own: two different serializations never feed the same
/// bytes.
struct Hashing<'a>(&'a mut Sink);

mod tag {
    pub const NONE: u8 = 0;
    pub const SOME: u8 = 1;
    pub const UNIT: u8 = 2;
    pub const BOOL: u8 = 3;
    pub const I64: u8 = 4;
    pub const U64: u8 = 5;
    pub const I128: u8 = 6;
    pub const U128: u8 = 7;
    pub const F64: u8 = 8;
    pub const CHAR: u8 = 9;
    pub const STR: u8 = 10;
    pub const BYTES: u8 = 11;
    pub const SEQ: u8 = 12;
    pub const MAP: u8 = 13;
    pub const END: u8 = 14;
    pub const NEWTYPE: u8 = 15;
    pub const F32: u8 = 16;
    pub const UNIT_VARIANT: u8 = 17;
    pub const NEWTYPE_VARIANT: u8 = 18;
    pub const TUPLE_VARIANT: u8 = 19;
    pub const STRUCT_VARIANT: u8 = 20;
}

/// Why a value did not serialize (a `Serialize` impl's own error).
#[derive(Debug)]
struct Failed(String);

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

impl ser::Error for Failed {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Failed(msg.to_string())
    }
}

impl Hashing<'_> {
    fn tag(&mut self, tag: u8) {
        self.0.push_item([tag]);
    }

    /// A tag and eight bytes.
    fn word(&mut self, tag: u8, word: [u8; 8]) {
        let mut item = [tag; 9];
        item[1..].copy_from_slice(&word);
        self.0.push_item(item);
    }

    fn text(&mut self, tag: u8, bytes: &[u8]) {
        self.word(tag, (bytes.len() as u64).to_le_bytes());
        self.0.push(bytes);
    }

    fn reborrow(&mut self) -> Hashing<'_> {
        Hashing(self.0)
    }
}

type Done = Result<(), Failed>;

impl<'a> ser::Serializer for Hashing<'a> {
    type Ok = ();
    type Error = Failed;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    /// Types with a costly text form (expressions render references and
    /// templates) give their structure instead.
    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Done {
        self.0.push_item([tag::BOOL, u8::from(v)]);
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> Done {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Done {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Done {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(mut self, v: i64) -> Done {
        self.word(tag::I64, v.to_le_bytes());
        Ok(())
    }

    fn serialize_i128(mut self, v: i128) -> Done {
        self.tag(tag::I128);
        self.0.push_item(v.to_le_bytes());
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> Done {
        self.serialize_u64(v.into())
    }

    fn serialize_u16(self, v: u16) -> Done {
        self.serialize_u64(v.into())
    }

    fn serialize_u32(self, v: u32) -> Done {
        self.serialize_u64(v.into())
    }

    fn serialize_u64(mut self, v: u64) -> Done {
        self.word(tag::U64, v.to_le_bytes());
        Ok(())
    }

    fn serialize_u128(mut self, v: u128) -> Done {
        self.tag(tag::U128);
        self.0.push_item(v.to_le_bytes());
        Ok(())
    }

    // serde_json writes an `f32` shorter than the `f64` of the same value.
    fn serialize_f32(mut self, v: f32) -> Done {
        self.tag(tag::F32);
        self.0.push_item(v.to_bits().to_le_bytes());
        Ok(())
    }

    fn serialize_f64(mut self, v: f64) -> Done {
        self.word(tag::F64, v.to_bits().to_le_bytes());
        Ok(())
    }

    fn serialize_char(mut self, v: char) -> Done {
        self.tag(tag::CHAR);
        self.0.push_item(u32::from(v).to_le_bytes());
        Ok(())
    }

    fn serialize_str(mut self, v: &str) -> Done {
        self.text(tag::STR, v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(mut self, v: &[u8]) -> Done {
        self.text(tag::BYTES, v);
        Ok(())
    }

    fn serialize_none(mut self) -> Done {
        self.tag(tag::NONE);
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(mut self, value: &T) -> Done {
        self.tag(tag::SOME);
        value.serialize(self)
    }

    fn serialize_unit(mut self) -> Done {
        self.tag(tag::UNIT);
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Done {
        self.serialize_unit()
    }

    fn serialize_unit_variant(mut self, _name: &'static str, index: u32, variant: &str) -> Done {
        self.variant(tag::UNIT_VARIANT, index, variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        mut self,
        name: &'static str,
        value: &T,
    ) -> Done {
        // serde_json writes some newtypes (its arbitrary-precision numbers
        // and raw values) differently from their content: keep the name.
        self.text(tag::NEWTYPE, name.as_bytes());
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        mut self,
        _name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Done {
        self.variant(tag::NEWTYPE_VARIANT, index, variant);
        value.serialize(self)
    }

    fn serialize_seq(mut self, _len: Option<usize>) -> Result<Self, Failed> {
        self.tag(tag::SEQ);
        Ok(self)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self, Failed> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Failed> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        mut self,
        _name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Failed> {
        self.variant(tag::TUPLE_VARIANT, index, variant);
        self.serialize_seq(Some(len))
    }

    fn serialize_map(mut self, _len: Option<usize>) -> Result<Self, Failed> {
        self.tag(tag::MAP);
        Ok(self)
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self, Failed> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        mut self,
        _name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Failed> {
        self.variant(tag::STRUCT_VARIANT, index, variant);
        self.serialize_map(Some(len))
    }
}

impl Hashing<'_> {
    /// A variant of the kind `tag` says (unit, newtype, tuple, struct): a
    /// unit variant and a value after it are not a newtype variant.
    fn variant(&mut self, tag: u8, index: u32, variant: &str) {
        self.text(tag, variant.as_bytes());
        self.0.push_item(index.to_le_bytes());
    }

    fn end(mut self) -> Done {
        self.tag(tag::END);
        Ok(())
    }
}

/// The serializers of sequences and tuples: each item in turn, then the
/// end tag.
macro_rules! items {
    ($($compound:ident::$item:ident),*) => {$(
        impl ser::$compound for Hashing<'_> {
            type Ok = ();
            type Error = Failed;

            fn $item<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
                value.serialize(self.reborrow())
            }

            fn end(self) -> Done {
                Hashing::end(self)
            }
        }
    )*};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// The serializers of structs: each field's name and value in turn, then
/// the end tag.
macro_rules! fields {
    ($($compound:ident),*) => {$(
        impl ser::$compound for Hashing<'_> {
            type Ok = ();
            type Error = Failed;

            fn serialize_field<T: ?Sized + Serialize>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Done {
                self.text(tag::STR, key.as_bytes());
                value.serialize(self.reborrow())
            }

            fn end(self) -> Done {
                Hashing::end(self)
            }
        }
    )*};
}

fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Hashing<'_> {
    type Ok = ();
    type Error = Failed;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Done {
        key.serialize(self.reborrow())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        value.serialize(self.reborrow())
    }

    fn end(self) -> Done {
        Hashing::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Expr;
    use crate::expr::strategies::expr;
    use crate::synth::json::{Sorted, to_pretty_json};
    use proptest::prelude::*;
    use serde_json::json;

    /// JSON values from a few strings and numbers, so that equal texts
    /// come up often.
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            (0..3i64).prop_map(serde_json::Value::from),
            Just(json!(1.0)),
            prop::sample::select(vec!["", "a", "b", "ab", "\"", "é"])
                .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::Array),
                prop::collection::vec((prop::sample::select(vec!["a", "b", "ab"]), inner), 0..3)
                    .prop_map(|entries| {
                        serde_json::Value::Object(
                            entries
                                .into_iter()
                                .map(|(k, v)| (k.to_owned(), v))
                                .collect(),
                        )
                    }),
            ]
        })
    }

    proptest! {
        #[test]
        fn json_values_have_one_digest_exactly_when_they_have_one_text(
            a in json_value(),
            b in json_value(),
        ) {
            let same_text = to_pretty_json(&a) == to_pretty_json(&b);
            prop_assert_eq!(of(&Sorted(&a)) == of(&Sorted(&b)), same_text);
        }

        #[test]
        fn expressions_with_one_digest_have_one_text(a in expr(), b in expr()) {
            // Expressions are digested as trees: two trees may render the
            // same text (a template of one literal, and the literal) and
            // have two digests, which only costs a comparison. The reverse
            // would leave a changed file unwritten.
            prop_assert_eq!(of(&a), of(&a.clone()));
            if of(&a) == of(&b) {
                prop_assert_eq!(to_pretty_json(&a.to_json()), to_pretty_json(&b.to_json()));
            }
            let text = |e: &Expr| to_pretty_json(&e.to_json());
            if text(&a) != text(&b) {
                prop_assert_ne!(of(&a), of(&b));
            }
        }
    }

    #[test]
    fn equal_values_have_one_digest_and_different_ones_differ() {
        let a = json!({"a": ["x", 1, null, true, {"b": 1.5}]});
        assert_eq!(of(&a), of(&a.clone()));
        for other in [
            json!({"a": ["x", 1, null, true, {"b": 1.25}]}),
            json!({"a": ["x", "1", null, true, {"b": 1.5}]}),
            json!({"a": ["x", 1, null, false, {"b": 1.5}]}),
            json!({"a": ["x", 1, true, {"b": 1.5}]}),
            json!({"a": ["x1", null, true, {"b": 1.5}]}),
            // The same strings, split differently.
            json!({"a": ["x", 1, null, true, {"b": 1.5}], "": ""}),
            json!({"a": [["x"], 1, null, true, {"b": 1.5}]}),
            json!({"ab": []}),
        ] {
            assert_ne!(of(&a), of(&other), "{other}");
        }
        // Where a string ends is part of the digest, whatever its bytes
        // (a line feed is the tag that starts a string).
        assert_ne!(of(&json!(["ab", "c"])), of(&json!(["a", "bc"])));
        assert_ne!(of(&json!(["a\nb"])), of(&json!(["a", "b"])));
        // Variants of one name but another kind, and the two float widths,
        // are written differently.
        #[derive(Serialize)]
        enum Unit {
            A,
        }
        #[derive(Serialize)]
        enum Newtype {
            A(u8),
        }
        assert_ne!(of(&(Unit::A, 5u8)), of(&(Newtype::A(5),)));
        assert_ne!(of(&1.5f32), of(&1.5f64));
        assert_ne!(of(&json!([[], []])), of(&json!([[[]]])));
    }
}
