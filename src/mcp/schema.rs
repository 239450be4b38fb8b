//! The tools' input and output schemas as clients read them. rmcp writes a
//! nullable field as `"type": ["string", "null"]`, which JSON Schema allows
//! but some validators and linters handle poorly (the MCP Inspector's
//! strict mode warns on every one); here each becomes the portable
//! `"anyOf": [{"type": "string"}, {"type": "null"}]`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rmcp::handler::server::common::schema_for_input;
use rmcp::handler::server::tool::schema_for_output;
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use serde_json::{Map, Value};

/// Keywords that describe a field rather than constrain its value: they
/// stay beside the `anyOf`, the rest go into its non-null branch.
const ANNOTATIONS: [&str; 7] = [
    "description",
    "title",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// The output schema of `T`.
pub fn output<T: JsonSchema + Any>() -> Arc<JsonObject> {
    cached::<T>(Kind::Output, || schema_for_output::<T>())
}

/// The input schema of `T`.
///
/// # Panics
///
/// When `T`'s schema is not an object schema, which a parameter type's
/// always is: a bug, found by the first test that lists the tools.
pub fn input<T: JsonSchema + Any>() -> Arc<JsonObject> {
    cached::<T>(Kind::Input, || {
        schema_for_input::<T>().unwrap_or_else(|error| {
            panic!(
                "invalid input schema for `{}`: {error}",
                std::any::type_name::<T>()
            )
        })
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Input,
    Output,
}

/// The rewritten schemas, by type and use.
type Schemas = Mutex<HashMap<(TypeId, Kind), Arc<JsonObject>>>;

/// Each schema is rewritten once: a router is built for every session.
fn cached<T: Any>(kind: Kind, make: impl FnOnce() -> Arc<JsonObject>) -> Arc<JsonObject> {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    let schemas = SCHEMAS.get_or_init(Mutex::default);
    let key = (TypeId::of::<T>(), kind);
    if let Some(schema) = schemas
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return schema.clone();
    }
    let mut schema = Value::Object((*make()).clone());
    portable(&mut schema);
    let Value::Object(schema) = schema else {
        unreachable!("a schema object stays an object");
    };
    let schema = Arc::new(schema);
    schemas
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, schema.clone());
    schema
}

/// Rewrites every `"type": [X, "null"]` in `schema` as an `anyOf`.
fn portable(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            for value in object.values_mut() {
                portable(value);
            }
            let nullable = match object.get("type") {
                Some(Value::Array(types)) if types.len() == 2 => types
                    .iter()
                    .find(|kind| kind.as_str() != Some("null"))
                    .filter(|_| types.iter().any(|kind| kind.as_str() == Some("null")))
                    .cloned(),
                _ => None,
            };
            let Some(kind) = nullable else {
                return;
            };
            let mut branch = Map::new();
            branch.insert("type".to_string(), kind);
            let keys: Vec<String> = object.keys().cloned().collect();
            for key in keys {
                if key != "type"
                    && !ANNOTATIONS.contains(&key.as_str())
                    && let Some(value) = object.remove(&key)
                {
                    branch.insert(key, value);
                }
            }
            object.remove("type");
            object.insert(
                "anyOf".to_string(),
                Value::Array(vec![
                    Value::Object(branch),
                    serde_json::json!({"type": "null"}),
                ]),
            );
        }
        Value::Array(items) => items.iter_mut().for_each(portable),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::portable;

    #[test]
    fn a_nullable_field_becomes_an_any_of_with_its_constraints_inside() {
        let mut schema = json!({
            "properties": {
                "phase": {"description": "The phase.", "type": ["string", "null"]},
                "count": {"type": ["integer", "null"], "minimum": 0},
                "id": {"type": "string"}
            }
        });
        portable(&mut schema);
        assert_eq!(
            schema,
            json!({
                "properties": {
                    "phase": {"description": "The phase.",
                              "anyOf": [{"type": "string"}, {"type": "null"}]},
                    "count": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
                    "id": {"type": "string"}
                }
            })
        );
    }
}
