//! Terraform's values as the plugin protocol carries them: cty types (in
//! their JSON form), and values in cty's MessagePack encoding (plan, apply,
//! read) or JSON encoding (stored state, in upgrade and move calls).
//!
//! A value does not carry its type: every walk goes hand in hand with the
//! type (or the schema), as cty's own decoder does.

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// A cty type.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Number,
    Bool,
    /// `dynamic`: the value carries its own type.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// A cty value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// Known only after apply (refinements, if Terraform sent any, are dropped).
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    /// The elements of a list, set or tuple.
    Seq(Vec<Value>),
    /// The elements of a map, or the attributes of an object.
    Map(BTreeMap<String, Value>),
    /// A known, non-null value where the schema says `dynamic`: its own type
    /// travels with it.
    Dynamic(Type, Box<Value>),
}

/// A number as it was encoded (cty writes integers as integers, other
/// numbers as floats or, past a float's precision, as decimal text).
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    UInt(u64),
    Float(f64),
    Text(String),
}

/// MessagePack extension codes cty uses for unknown values: plain, and
/// refined (Terraform 1.6+ says what it knows of an unknown, e.g. "not null").
const UNKNOWN_EXT: i8 = 0;
const REFINED_UNKNOWN_EXT: i8 = 12;

pub type Result<T> = std::result::Result<T, String>;

impl Type {
    /// Parses cty's JSON form of a type: `"string"`, `["list", T]`,
    /// `["object", {..}]` (a third element, optional attributes, only occurs
    /// in type constraints and is ignored), `["tuple", [..]]`.
    pub fn from_json(json: &Json) -> Result<Type> {
        match json {
            Json::String(s) => match s.as_str() {
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(format!("unknown primitive type {other:?}")),
            },
            Json::Array(parts) if parts.len() >= 2 => {
                let kind = parts[0].as_str().ok_or("type kind is not a string")?;
                match kind {
                    "list" => Ok(Type::List(Box::new(Type::from_json(&parts[1])?))),
                    "set" => Ok(Type::Set(Box::new(Type::from_json(&parts[1])?))),
                    "map" => Ok(Type::Map(Box::new(Type::from_json(&parts[1])?))),
                    "object" => {
                        let attrs = parts[1]
                            .as_object()
                            .ok_or("object type without attributes")?;
                        let mut out = BTreeMap::new();
                        for (name, ty) in attrs {
                            out.insert(name.clone(), Type::from_json(ty)?);
                        }
                        Ok(Type::Object(out))
                    }
                    "tuple" => {
                        let elems = parts[1].as_array().ok_or("tuple type without elements")?;
                        Ok(Type::Tuple(
                            elems.iter().map(Type::from_json).collect::<Result<_>>()?,
                        ))
                    }
                    other => Err(format!("unknown type kind {other:?}")),
                }
            }
            other => Err(format!("not a type: {other}")),
        }
    }

    pub fn to_json(&self) -> Json {
        match self {
            Type::String => Json::from("string"),
            Type::Number => Json::from("number"),
            Type::Bool => Json::from("bool"),
            Type::Dynamic => Json::from("dynamic"),
            Type::List(e) => Json::from(vec![Json::from("list"), e.to_json()]),
            Type::Set(e) => Json::from(vec![Json::from("set"), e.to_json()]),
            Type::Map(e) => Json::from(vec![Json::from("map"), e.to_json()]),
            Type::Object(attrs) => {
                let attrs: serde_json::Map<String, Json> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                Json::from(vec![Json::from("object"), Json::Object(attrs)])
            }
            Type::Tuple(elems) => Json::from(vec![
                Json::from("tuple"),
                Json::from(elems.iter().map(Type::to_json).collect::<Vec<_>>()),
            ]),
        }
    }
}

/// Decodes cty's MessagePack encoding of a value of type `ty`.
pub fn from_msgpack(ty: &Type, bytes: &[u8]) -> Result<Value> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut reader = bytes;
    let raw = rmpv::decode::read_value(&mut reader).map_err(|e| format!("bad msgpack: {e}"))?;
    decode(ty, raw)
}

fn decode(ty: &Type, raw: rmpv::Value) -> Result<Value> {
    use rmpv::Value as M;
    match raw {
        M::Nil => return Ok(Value::Null),
        M::Ext(UNKNOWN_EXT | REFINED_UNKNOWN_EXT, _) => return Ok(Value::Unknown),
        _ => {}
    }
    match (ty, raw) {
        (Type::Dynamic, M::Array(mut pair)) if pair.len() == 2 => {
            let inner = pair.pop().unwrap();
            let ty_bytes = match pair.pop().unwrap() {
                M::Binary(b) => b,
                M::String(s) => s.into_bytes(),
                other => return Err(format!("dynamic value with type {other}")),
            };
            let ty_json: Json =
                serde_json::from_slice(&ty_bytes).map_err(|e| format!("dynamic type: {e}"))?;
            let inner_ty = Type::from_json(&ty_json)?;
            // A typed null under `dynamic` stays typed, as cty keeps it;
            // encode writes it back the same way.
            let inner = decode(&inner_ty, inner)?;
            Ok(Value::Dynamic(inner_ty, Box::new(inner)))
        }
        (Type::String, M::String(s)) => s
            .into_str()
            .map(Value::String)
            .ok_or_else(|| "string is not UTF-8".to_owned()),
        (Type::Number, M::Integer(i)) => Ok(Value::Number(match i.as_i64() {
            Some(i) => Number::Int(i),
            None => Number::UInt(i.as_u64().unwrap_or_default()),
        })),
        (Type::Number, M::F64(f)) => Ok(Value::Number(Number::Float(f))),
        (Type::Number, M::F32(f)) => Ok(Value::Number(Number::Float(f64::from(f)))),
        (Type::Number, M::String(s)) => Ok(Value::Number(Number::Text(
            s.into_str().ok_or("number text is not UTF-8")?,
        ))),
        (Type::Bool, M::Boolean(b)) => Ok(Value::Bool(b)),
        (Type::List(e) | Type::Set(e), M::Array(items)) => Ok(Value::Seq(
            items
                .into_iter()
                .map(|i| decode(e, i))
                .collect::<Result<_>>()?,
        )),
        (Type::Tuple(elems), M::Array(items)) if elems.len() == items.len() => Ok(Value::Seq(
            elems
                .iter()
                .zip(items)
                .map(|(t, i)| decode(t, i))
                .collect::<Result<_>>()?,
        )),
        (Type::Map(e), M::Map(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                out.insert(key_string(k)?, decode(e, v)?);
            }
            Ok(Value::Map(out))
        }
        (Type::Object(attrs), M::Map(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let k = key_string(k)?;
                let t = attrs
                    .get(&k)
                    .ok_or_else(|| format!("unsupported attribute {k:?}"))?;
                out.insert(k, decode(t, v)?);
            }
            for k in attrs.keys() {
                out.entry(k.clone()).or_insert(Value::Null);
            }
            Ok(Value::Map(out))
        }
        (ty, raw) => Err(format!("{raw} is not a value of type {}", ty.to_json())),
    }
}

fn key_string(k: rmpv::Value) -> Result<String> {
    match k {
        rmpv::Value::String(s) => s.into_str().ok_or_else(|| "key is not UTF-8".to_owned()),
        other => Err(format!("map key {other} is not a string")),
    }
}

/// Encodes a value of type `ty` in cty's MessagePack encoding.
pub fn to_msgpack(ty: &Type, value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &encode(ty, value)).expect("writing to a Vec");
    out
}

fn encode(ty: &Type, value: &Value) -> rmpv::Value {
    use rmpv::Value as M;
    match (ty, value) {
        (_, Value::Null) => M::Nil,
        (_, Value::Unknown) => M::Ext(UNKNOWN_EXT, vec![0]),
        (Type::Dynamic, Value::Dynamic(inner_ty, inner)) => M::Array(vec![
            M::Binary(inner_ty.to_json().to_string().into_bytes()),
            encode(inner_ty, inner),
        ]),
        (_, Value::Bool(b)) => M::Boolean(*b),
        (_, Value::Number(n)) => match n {
            Number::Int(i) => M::from(*i),
            Number::UInt(u) => M::from(*u),
            Number::Float(f) => M::F64(*f),
            Number::Text(t) => M::from(t.as_str()),
        },
        (_, Value::String(s)) => M::from(s.as_str()),
        (Type::List(e) | Type::Set(e), Value::Seq(items)) => {
            M::Array(items.iter().map(|i| encode(e, i)).collect())
        }
        (Type::Tuple(elems), Value::Seq(items)) => {
            M::Array(elems.iter().zip(items).map(|(t, i)| encode(t, i)).collect())
        }
        (Type::Map(e), Value::Map(entries)) => M::Map(
            entries
                .iter()
                .map(|(k, v)| (M::from(k.as_str()), encode(e, v)))
                .collect(),
        ),
        (Type::Object(attrs), Value::Map(entries)) => M::Map(
            attrs
                .iter()
                .map(|(k, t)| {
                    let v = entries.get(k).unwrap_or(&Value::Null);
                    (M::from(k.as_str()), encode(t, v))
                })
                .collect(),
        ),
        // Only reachable through a bug in this crate: a value walked with
        // another type than it was decoded with.
        (ty, value) => panic!("cannot encode {value:?} as {}", ty.to_json()),
    }
}

/// Decodes cty's JSON encoding (the state file's) of a value of type `ty`.
/// Object attributes the type does not have are dropped, missing ones are
/// null: what a provider upgrading a state does with a changed schema.
pub fn from_json(ty: &Type, json: &Json) -> Result<Value> {
    match (ty, json) {
        (_, Json::Null) => Ok(Value::Null),
        (Type::Dynamic, Json::Object(o)) => {
            let inner_ty = Type::from_json(o.get("type").ok_or("dynamic value without type")?)?;
            let inner = from_json(&inner_ty, o.get("value").unwrap_or(&Json::Null))?;
            Ok(Value::Dynamic(inner_ty, Box::new(inner)))
        }
        (Type::String, Json::String(s)) => Ok(Value::String(s.clone())),
        (Type::Number, Json::Number(n)) => Ok(Value::Number(if let Some(i) = n.as_i64() {
            Number::Int(i)
        } else if let Some(u) = n.as_u64() {
            Number::UInt(u)
        } else {
            Number::Float(n.as_f64().unwrap_or_default())
        })),
        (Type::Number, Json::String(s)) => Ok(Value::Number(Number::Text(s.clone()))),
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::List(e) | Type::Set(e), Json::Array(items)) => Ok(Value::Seq(
            items
                .iter()
                .map(|i| from_json(e, i))
                .collect::<Result<_>>()?,
        )),
        (Type::Tuple(elems), Json::Array(items)) if elems.len() == items.len() => Ok(Value::Seq(
            elems
                .iter()
                .zip(items)
                .map(|(t, i)| from_json(t, i))
                .collect::<Result<_>>()?,
        )),
        (Type::Map(e), Json::Object(entries)) => Ok(Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), from_json(e, v)?)))
                .collect::<Result<_>>()?,
        )),
        (Type::Object(attrs), Json::Object(entries)) => Ok(Value::Map(
            attrs
                .iter()
                .map(|(k, t)| {
                    let v = match entries.get(k) {
                        Some(v) => from_json(t, v)?,
                        None => Value::Null,
                    };
                    Ok((k.clone(), v))
                })
                .collect::<Result<_>>()?,
        )),
        (ty, json) => Err(format!("{json} is not a value of type {}", ty.to_json())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(json: &str) -> Type {
        Type::from_json(&serde_json::from_str(json).unwrap()).unwrap()
    }

    #[test]
    fn msgpack_round_trips_nested_values_unknowns_and_dynamic() {
        let t = ty(
            r#"["object",{"a":"string","n":"number","s":["set","string"],"m":["map","bool"],"d":"dynamic","u":"string"}]"#,
        );
        let mut attrs = BTreeMap::new();
        attrs.insert("a".to_owned(), Value::String("x".to_owned()));
        attrs.insert("n".to_owned(), Value::Number(Number::Float(1.5)));
        attrs.insert(
            "s".to_owned(),
            Value::Seq(vec![Value::String("p".to_owned())]),
        );
        attrs.insert(
            "m".to_owned(),
            Value::Map(BTreeMap::from([("k".to_owned(), Value::Bool(true))])),
        );
        attrs.insert(
            "d".to_owned(),
            Value::Dynamic(
                ty(r#"["list","number"]"#),
                Box::new(Value::Seq(vec![Value::Number(Number::Int(3))])),
            ),
        );
        attrs.insert("u".to_owned(), Value::Unknown);
        let v = Value::Map(attrs);
        let bytes = to_msgpack(&t, &v);
        assert_eq!(from_msgpack(&t, &bytes).unwrap(), v);
    }

    #[test]
    fn refined_unknowns_decode_as_unknown_and_missing_attributes_as_null() {
        // {"a": <refined unknown>} as Terraform 1.6+ sends "known not null".
        let t = ty(r#"["object",{"a":"string","b":"string"}]"#);
        let raw = rmpv::Value::Map(vec![(
            rmpv::Value::from("a"),
            rmpv::Value::Ext(REFINED_UNKNOWN_EXT, vec![0x81, 0x01, 0xc3]),
        )]);
        let mut bytes = Vec::new();
        rmpv::encode::write_value(&mut bytes, &raw).unwrap();
        let v = from_msgpack(&t, &bytes).unwrap();
        let Value::Map(attrs) = v else { panic!() };
        assert_eq!(attrs["a"], Value::Unknown);
        assert_eq!(attrs["b"], Value::Null);
    }

    #[test]
    fn state_json_drops_attributes_the_schema_lacks() {
        let t = ty(r#"["object",{"id":"string","d":"dynamic"}]"#);
        let json = serde_json::json!({"id": "x", "gone": 1, "d": {"value": true, "type": "bool"}});
        let v = from_json(&t, &json).unwrap();
        let Value::Map(attrs) = v else { panic!() };
        assert_eq!(attrs.len(), 2);
        assert_eq!(
            attrs["d"],
            Value::Dynamic(Type::Bool, Box::new(Value::Bool(true)))
        );
    }
}
